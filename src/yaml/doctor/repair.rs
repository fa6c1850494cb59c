//! The repaired text: indentation tabs expanded, misplaced blocks moved, and a map from every
//! byte of it back to the byte of the original it came from.

use super::lines::{next_tab_stop, Line};
use crate::source::OffsetMap;

pub(crate) struct Rewrite {
    pub text: String,
    pub map: OffsetMap,
    /// The new leading whitespace of each line the repair changes.
    pub indents: Vec<Option<String>>,
}

/// Builds an [`OffsetMap`] one derived byte range at a time, adding a point only where the
/// correspondence stops being one-to-one.
struct MapBuilder {
    map: OffsetMap,
    derived: usize,
    /// Original offset the next derived byte maps to if nothing is pushed.
    expected: Option<usize>,
}

impl MapBuilder {
    fn emit(&mut self, original: usize, len: usize) {
        if len == 0 {
            return;
        }
        if self.expected != Some(original) {
            self.map.push(self.derived, original);
        }
        self.derived += len;
        self.expected = Some(original + len);
    }
}

pub(crate) fn rewrite(text: &str, lines: &[Line], shift: &[isize]) -> Rewrite {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut builder = MapBuilder {
        map: OffsetMap::default(),
        derived: 0,
        expected: None,
    };
    let mut indents = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let next_start = lines.get(i + 1).map_or(text.len(), |l| l.start);
        // Each derived indentation byte and the original byte it stands for.
        let mut ws: Vec<(char, usize)> = Vec::new();
        let mut col = 0;
        for (off, byte) in bytes
            .iter()
            .enumerate()
            .take(line.ws_end)
            .skip(line.ws_start)
        {
            if *byte == b'\t' {
                let stop = next_tab_stop(col);
                if line.expands_tab(col) {
                    ws.extend((col..stop).map(|_| (' ', off)));
                } else {
                    ws.push(('\t', off));
                }
                col = stop;
            } else {
                ws.push((' ', off));
                col += 1;
            }
        }
        let by = if line.is_blank() {
            0
        } else {
            shift.get(i).copied().unwrap_or(0)
        };
        if by > 0 {
            let at = line.ws_start;
            ws.splice(0..0, (0..by.unsigned_abs()).map(|_| (' ', at)));
        } else if by < 0 {
            let spaces = ws.iter().take_while(|(c, _)| *c == ' ').count();
            ws.drain(..spaces.min(by.unsigned_abs()));
        }

        builder.emit(line.start, line.ws_start - line.start);
        out.push_str(text.get(line.start..line.ws_start).unwrap_or_default());
        for (c, original) in &ws {
            builder.emit(*original, 1);
            out.push(*c);
        }
        builder.emit(line.ws_end, next_start - line.ws_end);
        out.push_str(text.get(line.ws_end..next_start).unwrap_or_default());

        let indent: String = ws.iter().map(|(c, _)| *c).collect();
        let unchanged = text.get(line.ws_start..line.ws_end) == Some(indent.as_str());
        indents.push((!unchanged).then_some(indent));
    }
    Rewrite {
        text: out,
        map: builder.map,
        indents,
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines::scan;
    use super::*;

    #[test]
    fn expands_tabs_and_maps_back() {
        let text = "a:\n\tb: 1\r\n\t c: |\n\t\t\tx\n";
        let lines = scan(text);
        let shift = vec![0, 0, -1, 0];
        let r = rewrite(text, &lines, &shift);
        let content = " ".repeat(24);
        assert_eq!(
            r.text,
            format!("a:\n        b: 1\r\n        c: |\n{content}x\n")
        );
        // `c` was at original offset 12 (after "\t ").
        let c = r.text.find('c').unwrap_or_default();
        assert_eq!(r.map.map(c), 12);
        assert_eq!(&text[r.map.map(c)..r.map.map(c) + 1], "c");
    }
}
