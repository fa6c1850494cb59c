//! Validating a resource declared in a `Fn::ForEach` loop once per expansion.
//!
//! Every expansion shares the loop body's bytes, so no expanded copy of the template is
//! built: the resource's own nodes are validated once per combination of the values of the
//! identifiers it uses, with [`Bindings`] saying what each identifier stands for
//! (`${Id}` and `&{Id}` in keys and strings, `!Ref Id`). An identifier whose collection is not a
//! literal list (a `CommaDelimitedList` parameter, `!FindInMap`…) stands for an unknown value,
//! and whatever depends on it is not judged.
//!
//! The findings of all expansions are merged: the same finding (kind, bytes, message) is
//! reported once, naming the values that give it when not all of them do
//! ("for `Name` = `Beta`").

use super::Problem;
use crate::source::Span;
use crate::template::foreach::ForEach;
use crate::template::{Resource, Template};
use crate::yaml::{Node, NodeKind};
use std::borrow::Cow;
use std::collections::HashMap;

/// Beyond this many combinations of values a resource is validated once, with every
/// identifier unknown (only what does not depend on them is judged).
const MAX_EXPANSIONS: usize = 256;

/// What the loop identifiers around a resource stand for in one expansion: a value, or
/// `None` when the collection is not known before deployment. Innermost loops last.
#[derive(Clone, Debug, Default)]
pub struct Bindings<'a> {
    vars: Vec<(&'a str, Option<&'a str>)>,
}

/// What a text is once the loop's identifiers in it are replaced.
pub enum Expanded<'s> {
    /// The text, with every identifier replaced (borrowed when it names none).
    Known(Cow<'s, str>),
    /// It names an identifier whose value is unknown.
    Unknown,
}

impl<'a> Bindings<'a> {
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// What identifier `name` stands for: `None` when it is not an identifier of these loops,
    /// `Some(None)` when its value is unknown.
    pub fn get(&self, name: &str) -> Option<Option<&'a str>> {
        self.vars
            .iter()
            .rev()
            .find(|(id, _)| *id == name)
            .map(|(_, value)| *value)
    }

    /// `text` with `${Id}` replaced by the identifier's value and `&{Id}` by the value's
    /// letters and digits; `${…}` naming anything else is kept.
    pub fn expand<'s>(&self, text: &'s str) -> Expanded<'s> {
        if self.vars.is_empty() || !text.contains('{') {
            return Expanded::Known(Cow::Borrowed(text));
        }
        let mut out = String::new();
        let mut copied = 0;
        let mut at = 0;
        while let Some(open) = text[at..].find('{').map(|i| at + i) {
            at = open + 1;
            let Some(sigil) = open.checked_sub(1).and_then(|i| text.get(i..open)) else {
                continue;
            };
            if sigil != "$" && sigil != "&" {
                continue;
            }
            let Some(close) = text[open..].find('}').map(|i| open + i) else {
                break;
            };
            let Some(value) = self.get(&text[open + 1..close]) else {
                continue;
            };
            let Some(value) = value else {
                return Expanded::Unknown;
            };
            out.push_str(&text[copied..open - 1]);
            if sigil == "$" {
                out.push_str(value);
            } else {
                out.extend(value.chars().filter(char::is_ascii_alphanumeric));
            }
            copied = close + 1;
            at = close + 1;
        }
        if copied == 0 {
            return Expanded::Known(Cow::Borrowed(text));
        }
        out.push_str(&text[copied..]);
        Expanded::Known(Cow::Owned(out))
    }
}

/// The resource declared or generated under `name`, when its type is known: a resource of
/// `Resources`, a loop's resource named by its pattern as written (`!GetAtt ${Name}Queue.Arn`
/// in the loop), or one of the names a loop over literal values generates (`QueueA`). A loop
/// resource whose type its values complete is not known.
pub fn resource_named<'t, 'a>(template: &'t Template<'a>, name: &str) -> Option<&'t Resource<'a>> {
    let r = match template.resource(name) {
        Some(r) => r,
        None => {
            let generated = template.generated("Resources").find(|g| {
                g.names
                    .as_ref()
                    .is_some_and(|names| names.iter().any(|n| n == name))
            })?;
            template
                .resources
                .iter()
                .find(|r| std::ptr::eq(r.key, generated.node))?
        }
    };
    let templated = r.in_loop && r.type_.is_some_and(|t| t.contains('{'));
    (!templated).then_some(r)
}

/// Whether the loops around `r` generate it at all: not when one of them is not found or
/// has an empty literal collection.
pub fn expands<'a>(template: &Template<'a>, r: &Resource<'a>) -> bool {
    identifiers(template, r).is_some_and(|ids| {
        !ids.iter()
            .any(|i| i.values.as_ref().is_some_and(Vec::is_empty))
    })
}

/// A message and the expansions (indices of combinations) that give it.
type Hits = (String, Vec<usize>);

/// One identifier of the loops around a resource and its values (`None`: not literal).
struct Identifier<'a> {
    name: &'a str,
    values: Option<Vec<&'a str>>,
}

/// The findings of every expansion of the resource `r`, declared in a loop, merged;
/// `validate` validates the resource with the given bindings. Nothing when `r` is not found
/// in a loop of `Resources` or a literal collection around it is empty (no expansion).
pub fn validate_expansions<'a>(
    template: &Template<'a>,
    r: &Resource<'a>,
    mut validate: impl FnMut(&Bindings<'a>) -> Vec<Problem>,
) -> Vec<Problem> {
    let Some(identifiers) = identifiers(template, r) else {
        return Vec::new();
    };
    if identifiers
        .iter()
        .any(|i| i.values.as_ref().is_some_and(Vec::is_empty))
    {
        return Vec::new();
    }
    // Only the identifiers the resource uses make expansions differ.
    let used = used_identifiers(r.node, &identifiers);
    let mut unknown = Bindings::default();
    let mut varying: Vec<(&str, Vec<&str>)> = Vec::new();
    for i in &identifiers {
        if !used.contains(&i.name) {
            continue;
        }
        match &i.values {
            Some(values) => {
                let mut distinct: Vec<&str> = Vec::with_capacity(values.len());
                for v in values {
                    if !distinct.contains(v) {
                        distinct.push(v);
                    }
                }
                // An inner loop's identifier of the same name replaces an outer one's.
                varying.retain(|(name, _)| *name != i.name);
                unknown.vars.retain(|(name, _)| *name != i.name);
                varying.push((i.name, distinct));
            }
            None => {
                varying.retain(|(name, _)| *name != i.name);
                unknown.vars.retain(|(name, _)| *name != i.name);
                unknown.vars.push((i.name, None));
            }
        }
    }
    let count = varying
        .iter()
        .try_fold(1usize, |n, (_, values)| n.checked_mul(values.len()));
    let combinations = match count {
        Some(n) if n <= MAX_EXPANSIONS => combinations(&varying),
        _ => {
            // Too many to expand one by one: judge only what no identifier changes.
            let all_unknown = Bindings {
                vars: varying
                    .iter()
                    .map(|(name, _)| (*name, None))
                    .chain(unknown.vars.iter().copied())
                    .collect(),
            };
            return validate(&all_unknown);
        }
    };
    if combinations.len() == 1 {
        let mut bindings = unknown;
        bindings.vars.extend(
            combinations[0]
                .iter()
                .zip(&varying)
                .map(|(&v, (name, _))| (*name, Some(v))),
        );
        return validate(&bindings);
    }
    // One finding per kind and place; the expansions giving each message, in order.
    let mut merged: Vec<(Problem, Vec<Hits>)> = Vec::new();
    let mut index: HashMap<(super::Kind, Span), usize> = HashMap::new();
    for (c, combination) in combinations.iter().enumerate() {
        let mut bindings = unknown.clone();
        bindings.vars.extend(
            combination
                .iter()
                .zip(&varying)
                .map(|(&v, (name, _))| (*name, Some(v))),
        );
        for p in validate(&bindings) {
            let i = *index.entry((p.kind, p.span)).or_insert_with(|| {
                merged.push((p.clone(), Vec::new()));
                merged.len() - 1
            });
            let messages = &mut merged[i].1;
            match messages.iter_mut().find(|(m, _)| *m == p.message) {
                Some((_, hits)) => {
                    if hits.last() != Some(&c) {
                        hits.push(c);
                    }
                }
                None => messages.push((p.message, vec![c])),
            }
        }
    }
    merged
        .into_iter()
        .map(|(mut p, messages)| {
            // The first message stands for all: a value named in it is the first expansion's
            // (`not the string `Alpha``), so the others are named after it.
            let mut first = messages.into_iter();
            let Some((message, hits)) = first.next() else {
                return p;
            };
            let mut others: Vec<usize> = first
                .flat_map(|(_, h)| h)
                .filter(|h| !hits.contains(h))
                .collect();
            others.sort_unstable();
            others.dedup();
            p.message = message;
            if others.is_empty() {
                if hits.len() < combinations.len() {
                    p.message
                        .push_str(&format!(" ({})", which(&varying, &combinations, &hits)));
                }
            } else {
                p.message.push_str(&format!(
                    " ({}; likewise {})",
                    which(&varying, &combinations, &hits),
                    which(&varying, &combinations, &others)
                ));
            }
            p
        })
        .collect()
}

/// The identifiers of the loops around `r`, outermost first; `None` when `r` is not the
/// output of a loop of `Resources`.
fn identifiers<'a>(template: &Template<'a>, r: &Resource<'a>) -> Option<Vec<Identifier<'a>>> {
    let loops = template.loops();
    let innermost = loops.iter().position(|l| {
        l.section == "Resources"
            && l.body
                .as_mapping()
                .is_some_and(|entries| entries.iter().any(|e| std::ptr::eq(&e.key, r.key)))
    })?;
    let mut chain: Vec<&ForEach<'a>> = Vec::new();
    let mut at = Some(innermost);
    while let Some(i) = at {
        let l = loops.get(i)?;
        chain.push(l);
        at = l.outer;
    }
    Some(
        chain
            .into_iter()
            .rev()
            .map(|l| Identifier {
                name: l.identifier,
                values: l.values(),
            })
            .collect(),
    )
}

/// The identifiers named anywhere in `node`: a scalar that is the identifier (`!Ref Id`,
/// `Ref: Id`) or holds `{Id}` (`${Id}`, `&{Id}`). Generous: a name counted for nothing only
/// costs an expansion.
fn used_identifiers<'a>(node: &Node, identifiers: &[Identifier<'a>]) -> Vec<&'a str> {
    let mut used: Vec<&'a str> = Vec::new();
    let mut visit = |n: &Node| {
        if let NodeKind::Scalar(s) = &n.kind {
            for i in identifiers {
                if used.contains(&i.name) {
                    continue;
                }
                let text = s.value.as_str();
                if text == i.name || text.contains('{') && text.contains(&format!("{{{}}}", i.name))
                {
                    used.push(i.name);
                }
            }
        }
    };
    node.walk(&mut visit);
    used
}

/// Every combination of one value per identifier, as indices into each one's values.
fn combinations<'a>(varying: &[(&'a str, Vec<&'a str>)]) -> Vec<Vec<&'a str>> {
    let mut out: Vec<Vec<&'a str>> = vec![Vec::new()];
    for (_, values) in varying {
        let mut next = Vec::with_capacity(out.len() * values.len());
        for combination in &out {
            for v in values {
                let mut c = combination.clone();
                c.push(*v);
                next.push(c);
            }
        }
        out = next;
    }
    out
}

/// "for `Name` = `Beta`": the values of the expansions `hits` (not all of them).
fn which(varying: &[(&str, Vec<&str>)], combinations: &[Vec<&str>], hits: &[usize]) -> String {
    // The values each identifier takes among the hits, in collection order.
    let taken: Vec<Vec<&str>> = varying
        .iter()
        .enumerate()
        .map(|(k, (_, values))| {
            values
                .iter()
                .copied()
                .filter(|v| hits.iter().any(|&h| combinations[h][k] == *v))
                .collect()
        })
        .collect();
    let product: usize = taken.iter().map(Vec::len).product();
    if product == hits.len() {
        // Every combination of the values taken: name the identifiers that do not take all.
        let parts: Vec<String> = varying
            .iter()
            .zip(&taken)
            .filter(|((_, values), taken)| taken.len() < values.len())
            .map(|((name, _), taken)| format!("`{name}` = {}", or_list(taken)))
            .collect();
        return format!("for {}", parts.join(" and "));
    }
    const LISTED: usize = 3;
    let mut parts: Vec<String> = hits
        .iter()
        .take(LISTED)
        .map(|&h| {
            varying
                .iter()
                .zip(&combinations[h])
                .map(|((name, _), v)| format!("`{name}` = `{v}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    if hits.len() > LISTED {
        parts.push(format!("{} more", hits.len() - LISTED));
    }
    format!("for {}", parts.join("; "))
}

fn or_list(values: &[&str]) -> String {
    const LISTED: usize = 6;
    let mut quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    if quoted.len() > LISTED {
        let more = quoted.len() - (LISTED - 1);
        quoted.truncate(LISTED - 1);
        quoted.push(format!("{more} more"));
    }
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: Expanded<'_>) -> Option<String> {
        match e {
            Expanded::Known(t) => Some(t.into_owned()),
            Expanded::Unknown => None,
        }
    }

    #[test]
    fn identifiers_are_replaced_in_text() {
        let b = Bindings {
            vars: vec![("Name", Some("a-b")), ("Env", None)],
        };
        assert_eq!(text(b.expand("x${Name}y&{Name}")), Some("xa-byab".into()));
        // Other variables, and text without any, stay as written.
        assert_eq!(
            text(b.expand("${AWS::Region}-${Name}")),
            Some("${AWS::Region}-a-b".into())
        );
        assert_eq!(text(b.expand("{plain}")), Some("{plain}".into()));
        assert!(matches!(
            b.expand("no braces"),
            Expanded::Known(Cow::Borrowed(_))
        ));
        assert_eq!(text(b.expand("${Env}")), None);
        assert_eq!(b.get("Name"), Some(Some("a-b")));
        assert_eq!(b.get("Env"), Some(None));
        assert_eq!(b.get("Other"), None);
    }

    #[test]
    fn the_values_a_finding_applies_to() {
        let varying = vec![("Env", vec!["dev", "prod"]), ("Name", vec!["A", "B", "C"])];
        let combinations = combinations(&varying);
        assert_eq!(combinations.len(), 6);
        // Name = B in both environments.
        assert_eq!(which(&varying, &combinations, &[1, 4]), "for `Name` = `B`");
        assert_eq!(
            which(&varying, &combinations, &[0, 1]),
            "for `Env` = `dev` and `Name` = `A` or `B`"
        );
        assert_eq!(
            which(&varying, &combinations, &[0, 4]),
            "for `Env` = `dev` and `Name` = `A`; `Env` = `prod` and `Name` = `B`"
        );
    }
}
