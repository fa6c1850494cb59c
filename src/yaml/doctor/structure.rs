//! Rebuild the block structure from visual columns with a stack of open blocks, the way a YAML
//! parser would, but instead of stopping at a key whose column matches no open block, decide
//! where it belongs, move it there (with everything nested under it) and carry on.

use super::cfn::{domain_of, Domain};
use super::lines::{Context, Line, Node, NodeKind, Value};

/// How many structural lines a tentative placement is tried against before it is judged.
const LOOKAHEAD: usize = 48;

/// The doctor's work budget. Each misplaced line costs a lookahead and a finding, so after this
/// many it stops (a file this broken is not one indentation slip) and says so; the rest of the
/// file is left to the next run.
pub(crate) const MAX_MISPLACED: usize = 1000;

/// Members a block remembers (the most recent), for telling duplicates and CloudFormation
/// domains apart. Real blocks are far smaller; the bound keeps each lookahead's copy of the
/// open blocks small on hostile input with hundreds of thousands of siblings.
const MEMBERS_KEPT: usize = 256;

/// Siblings a finding keeps for its message and label (nearest last): enough for every key of
/// a policy statement.
const SIBLINGS_KEPT: usize = 12;

/// An open block mapping (`Key`) or sequence (`Dash`) and what it holds so far.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub col: usize,
    pub kind: NodeKind,
    pub members: Vec<Node>,
    /// The key or dash whose value this block is.
    pub owner: Option<Node>,
}

/// A key or list item whose column matches no open block.
#[derive(Clone, Debug)]
pub(crate) struct Misplaced {
    pub line: usize,
    pub node: Node,
    /// Where it is, after tab expansion.
    pub from_col: usize,
    /// Where it belongs.
    pub to_col: usize,
    /// Lines `line..region_end` move with it.
    pub region_end: usize,
    /// Correctly placed members of the block it belongs to, nearest last.
    pub siblings: Vec<Node>,
    pub owner: Option<Node>,
    pub domain: Option<Domain>,
}

/// The structure as rebuilt: findings and, per line, how far the repair moves it.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub misplaced: Vec<Misplaced>,
    /// Columns added (or removed when negative) at the start of each line by the repair.
    pub shift: Vec<isize>,
    /// For each structural line, the node that owns the block its first node sits in.
    pub parent: Vec<Option<Node>>,
    /// The line where the doctor stopped after [`MAX_MISPLACED`] misplaced lines.
    pub stopped_at: Option<usize>,
}

#[derive(Clone, Default)]
struct Sim {
    stack: Vec<Frame>,
    /// The last node whose value is on the following lines.
    pending: Option<Node>,
    /// Active moves: (end line, columns added) for lines before the end.
    moves: Vec<(usize, isize)>,
}

pub(crate) fn rebuild(lines: &[Line]) -> Layout {
    let mut layout = Layout {
        misplaced: Vec::new(),
        shift: vec![0; lines.len()],
        parent: vec![None; lines.len()],
        stopped_at: None,
    };
    let mut sim = Sim::default();
    for i in 0..lines.len() {
        sim.step(lines, i, Some(&mut layout));
        // Stop at the first misplaced line over the budget; the lines before it (those
        // nested under the last reported move included) have all been placed.
        if layout.misplaced.len() > MAX_MISPLACED {
            layout.misplaced.truncate(MAX_MISPLACED);
            layout.stopped_at = Some(i);
            break;
        }
    }
    layout
}

fn shifted(col: usize, by: isize) -> usize {
    col.saturating_add_signed(by)
}

/// The first line after `i` that no longer moves with line `i`'s first node.
fn region_end(lines: &[Line], i: usize) -> usize {
    let Some(line) = lines.get(i) else {
        return i;
    };
    let opens = line.value == Value::Opens;
    let mut j = i + 1;
    while let Some(next) = lines.get(j) {
        let structural = matches!(next.context, Context::Structural | Context::DocumentMarker);
        if structural && (!opens || next.col <= line.col) {
            break;
        }
        j += 1;
    }
    j
}

impl Sim {
    /// Process line `i`. With a layout, record findings and choose placements by looking
    /// ahead; without, just count misplacements (that is how a lookahead judges a choice).
    fn step(&mut self, lines: &[Line], i: usize, layout: Option<&mut Layout>) -> usize {
        self.moves.retain(|(end, _)| *end > i);
        let mut shift: isize = self.moves.iter().map(|(_, by)| by).sum();
        let line = &lines[i];
        let mut layout = layout;
        if let Some(l) = &mut layout {
            l.shift[i] = shift;
        }
        match line.context {
            Context::DocumentMarker => {
                self.stack.clear();
                self.pending = None;
                return 0;
            }
            Context::Structural => {}
            _ => return 0,
        }
        let Some(first) = line.first() else {
            // A scalar or flow value on its own line fills the pending value; a lone tag or
            // anchor (`!Join`) only decorates it, and the value's block may start at any column
            // deeper than its key, even left of the tag.
            if line.value != Value::Opens {
                self.pending = None;
            }
            return 0;
        };
        let col = shifted(first.col, shift);
        let mut misplaced = 0;
        if !self.place(first, col) {
            misplaced = 1;
            let candidates: Vec<usize> = (0..self.stack.len())
                .filter(|k| self.stack[*k].kind == first.kind)
                .collect();
            let chosen = match layout.as_deref_mut() {
                Some(_) => self.choose_with_lookahead(lines, i, first, col, &candidates),
                None => self.choose(first, col, &candidates),
            };
            let Some(k) = chosen else {
                // Nothing to attach it to: leave the line to the syntax error.
                self.pending = None;
                return misplaced;
            };
            let to_col = self.stack[k].col;
            let delta = to_col as isize - col as isize;
            let end = region_end(lines, i);
            if let Some(l) = layout.as_deref_mut() {
                let frame = &self.stack[k];
                l.misplaced.push(Misplaced {
                    line: i,
                    node: first.clone(),
                    from_col: first.col,
                    to_col,
                    region_end: end,
                    siblings: frame.members[frame.members.len().saturating_sub(SIBLINGS_KEPT)..]
                        .to_vec(),
                    owner: frame.owner.clone(),
                    domain: domain_of(&first.name, frame.members.iter().map(|m| m.name.as_str())),
                });
                l.shift[i] = shift + delta;
            }
            self.attach(k, first);
            shift += delta;
            if delta != 0 && end > i + 1 {
                self.moves.push((end, delta));
            }
        }
        if let Some(l) = layout {
            l.parent[i] = self.stack.last().and_then(|f| f.owner.clone());
        }
        for node in line.nodes.iter().skip(1) {
            self.stack.push(Frame {
                col: shifted(node.col, shift),
                kind: node.kind,
                members: vec![node.clone()],
                owner: None,
            });
        }
        self.pending = match line.value {
            Value::Opens => line.nodes.last().map(|n| Node {
                col: shifted(n.col, shift),
                ..n.clone()
            }),
            _ => None,
        };
        misplaced
    }

    /// Put `node` at `col` into the block structure if its column fits; false if it matches no
    /// open block.
    fn place(&mut self, node: &Node, col: usize) -> bool {
        if let Some(pending) = self.pending.take() {
            let indentless =
                col == pending.col && pending.kind == NodeKind::Key && node.kind == NodeKind::Dash;
            if col > pending.col || indentless {
                self.stack.push(Frame {
                    col,
                    kind: node.kind,
                    members: vec![node.clone()],
                    owner: Some(pending),
                });
                return true;
            }
        }
        if self.stack.is_empty() {
            self.stack.push(Frame {
                col,
                kind: node.kind,
                members: vec![node.clone()],
                owner: None,
            });
            return true;
        }
        for k in (0..self.stack.len()).rev() {
            let frame = &self.stack[k];
            if frame.col > col || (frame.col == col && frame.kind != node.kind) {
                continue;
            }
            if frame.col == col {
                self.attach(k, node);
                return true;
            }
            break;
        }
        false
    }

    fn attach(&mut self, k: usize, node: &Node) {
        self.stack.truncate(k + 1);
        if let Some(frame) = self.stack.last_mut() {
            if frame.members.len() >= 2 * MEMBERS_KEPT {
                frame.members.drain(..MEMBERS_KEPT);
            }
            frame.members.push(node.clone());
        }
    }

    /// The static preference among candidate blocks: no duplicate key, a block CloudFormation
    /// says the key belongs in, the nearest column, the innermost block.
    fn rank(
        &self,
        node: &Node,
        col: usize,
        k: usize,
    ) -> (bool, bool, usize, std::cmp::Reverse<usize>) {
        let frame = &self.stack[k];
        let duplicate =
            node.kind == NodeKind::Key && frame.members.iter().any(|m| m.name == node.name);
        let foreign = node.kind == NodeKind::Key
            && domain_of(&node.name, frame.members.iter().map(|m| m.name.as_str())).is_none();
        (
            duplicate,
            foreign,
            frame.col.abs_diff(col),
            std::cmp::Reverse(k),
        )
    }

    fn choose(&self, node: &Node, col: usize, candidates: &[usize]) -> Option<usize> {
        candidates
            .iter()
            .copied()
            .min_by_key(|k| self.rank(node, col, *k))
    }

    /// Prefer the placement after which the rest of the file fits best; break ties statically.
    fn choose_with_lookahead(
        &self,
        lines: &[Line],
        i: usize,
        node: &Node,
        col: usize,
        candidates: &[usize],
    ) -> Option<usize> {
        candidates.iter().copied().min_by_key(|&k| {
            let mut trial = self.clone();
            let delta = trial.stack[k].col as isize - col as isize;
            trial.attach(k, node);
            let end = region_end(lines, i);
            if delta != 0 && end > i + 1 {
                trial.moves.push((end, delta));
            }
            let line = &lines[i];
            for n in line.nodes.iter().skip(1) {
                trial.stack.push(Frame {
                    col: shifted(n.col, delta),
                    kind: n.kind,
                    members: vec![n.clone()],
                    owner: None,
                });
            }
            trial.pending = match line.value {
                Value::Opens => line.nodes.last().map(|n| Node {
                    col: shifted(n.col, delta),
                    ..n.clone()
                }),
                _ => None,
            };
            let mut trouble = 0;
            let mut seen = 0;
            for j in i + 1..lines.len() {
                if lines[j].context == Context::Structural {
                    seen += 1;
                    if seen > LOOKAHEAD {
                        break;
                    }
                }
                trouble += trial.step(lines, j, None);
            }
            (trouble, self.rank(node, col, k))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines::scan;
    use super::*;

    #[test]
    fn valid_nesting_has_no_misplacements() {
        let text = "a:\n  b:\n  - x\n  - y: 1\n    z:\n      - q\n  c: |\n   text\n d\n";
        let layout = rebuild(&scan(text));
        assert!(layout.misplaced.is_empty(), "{:?}", layout.misplaced);
    }

    #[test]
    fn lone_tag_line_keeps_the_value_open() {
        let text = "Resource:\n      !Join\n    - ''\n    - - a\n      - b\nNext: 1\n";
        let layout = rebuild(&scan(text));
        assert!(layout.misplaced.is_empty(), "{:?}", layout.misplaced);
    }

    #[test]
    fn key_between_columns_goes_to_nearest_block() {
        let text = "a:\n  b: 1\n   c: 2\nd: 3\n";
        let layout = rebuild(&scan(text));
        assert_eq!(layout.misplaced.len(), 1);
        let m = &layout.misplaced[0];
        assert_eq!((m.line, m.from_col, m.to_col), (2, 3, 2));
        assert_eq!(layout.shift[2], -1);
    }

    #[test]
    fn statement_key_goes_back_to_its_statement() {
        let text = "Statement:\n  - Effect: Allow\n    Action:\n      - a\n Resource: x\n  - Effect: Deny\n";
        let layout = rebuild(&scan(text));
        assert_eq!(layout.misplaced.len(), 1);
        let m = &layout.misplaced[0];
        assert_eq!(
            (m.line, m.to_col, m.domain),
            (4, 4, Some(Domain::Statement))
        );
        assert_eq!(m.siblings.last().map(|s| s.name.as_str()), Some("Action"));
    }

    #[test]
    fn moved_key_takes_its_children_along() {
        let text = "A:\n  x: 1\n B:\n   y: 2\n   z: 3\nC: 4\n";
        let layout = rebuild(&scan(text));
        assert_eq!(layout.misplaced.len(), 1);
        // Equally near to both blocks: the innermost wins.
        assert_eq!(layout.shift, vec![0, 0, 1, 1, 1, 0]);
    }
}
