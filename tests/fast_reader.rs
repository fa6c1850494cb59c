//! The fast YAML reader against the general parser.
//!
//! `yaml::parse` reads a file with the fast reader when it can and falls back to the general
//! parser otherwise. That is only sound if, for every text the fast reader accepts, the general
//! parser accepts it too and builds the same tree (values, styles, tags and every span) and the
//! same comments. These tests check that on generated template-like YAML (mostly inside the fast
//! reader's subset, with the edges it must refuse mixed in), on random edits of it, on the
//! fixtures, and on the corpus when `../shared/corpus` is present.
//!
//! `FAST_READER_CASES=N` runs more generated cases than the default.

use cfn_policy_lint::yaml::{parse, parse_fast, parse_general, Document, ParseOptions};
use std::path::Path;

mod common;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &[
    "Resources",
    "Type",
    "Properties",
    "Statement",
    "Effect",
    "Action",
    "Resource",
    "aws:SourceArn",
    "Fn::Sub",
    "Fn::If",
    "'quoted key'",
    "\"Dq\"",
    "key ",
    "é",
    "-dash",
    "a b",
];

const PLAIN: &[&str] = &[
    "value",
    "s3:GetObject",
    "arn:aws:s3:::bucket/*",
    "${AWS::Region}",
    "yes",
    "-1.5e3",
    "2012-10-17",
    "a #not-a-comment-start?",
    "a#b",
    "x: y",
    "text with  spaces",
    "ça",
    "[brackets] in {block}",
    "trailing   ",
    "-",
    "?x",
    ":x",
    "a,b",
    "~",
];

const QUOTED: &[&str] = &[
    "'single'",
    "'it''s'",
    "''",
    "\"double\"",
    "\"esc \\\" \\\\ \\n \\t \\u00e9 \\/\"",
    "\"\\x41\"",
    "\"\\ud83d\"",
    "'multi\n  line'",
    "\"multi\n\n   lines  \n  here\"",
    "'under\nindented'",
    "\"escaped \\\n  break\"",
    "\"tab\n\tline\"",
];

const TAGS: &[&str] = &[
    "!Ref", "!Sub", "!GetAtt", "!If", "!Join", "!GetAZs", "!!str", "!", "!Not",
];

/// Generates template-like YAML, with the constructs the fast reader handles and many it does
/// not, so that both sides of its boundary are exercised.
struct Gen {
    rng: Rng,
    out: String,
    depth: usize,
}

impl Gen {
    fn spaces(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    /// `text` indented by anything from 0 to `below - 1` spaces.
    fn loosely_indented(&mut self, below: usize, text: &str) {
        let n = self.rng.below(below);
        self.spaces(n);
        self.out.push_str(text);
    }

    fn comment(&mut self) {
        if self.rng.chance(15) {
            self.out
                .push_str(self.rng.pick(&["  # note", " #x", "# tight", "\t# tab"]));
        }
    }

    fn filler_lines(&mut self, indent: usize) {
        while self.rng.chance(12) {
            match self.rng.below(4) {
                0 => self.out.push('\n'),
                1 => self.loosely_indented(indent + 3, "# comment line\n"),
                2 => self.loosely_indented(indent + 3, "\n"),
                _ => self.out.push_str("#\n"),
            }
        }
    }

    fn scalar(&mut self) {
        if self.rng.chance(25) {
            let tag = self.rng.pick(TAGS);
            self.out.push_str(tag);
            self.out.push(' ');
        }
        if self.rng.chance(35) {
            let q = self.rng.pick(QUOTED);
            self.out.push_str(q);
        } else {
            let p = self.rng.pick(PLAIN);
            self.out.push_str(p);
        }
    }

    fn flow(&mut self, indent: usize) {
        self.depth += 1;
        let map = self.rng.chance(45);
        self.out.push(if map { '{' } else { '[' });
        let n = self.rng.below(4);
        for i in 0..n {
            if i > 0 {
                self.out.push(',');
            }
            if self.rng.chance(20) {
                self.out.push('\n');
                let k = self.rng.below(indent + 4);
                self.spaces(k);
                if self.rng.chance(10) {
                    self.out.push_str("# in flow\n");
                    self.spaces(indent + 2);
                }
            } else if self.rng.chance(80) {
                self.out.push(' ');
            }
            if map || self.rng.chance(8) {
                let key = self.rng.pick(&["k", "\"k\"", "'k'", "aws:x", "Condition"]);
                self.out.push_str(key);
                self.out
                    .push_str(self.rng.pick(&[": ", ":", " : ", ":\n    "]));
            }
            if self.depth < 6 && self.rng.chance(25) {
                if self.rng.chance(30) {
                    let tag = self.rng.pick(TAGS);
                    self.out.push_str(tag);
                    self.out.push(' ');
                }
                self.flow(indent);
            } else {
                let v = self.rng.pick(&[
                    "a",
                    "\"q\"",
                    "'s'",
                    "!Ref X",
                    "!GetAtt R.Arn",
                    "-1",
                    "true",
                    "null",
                    "a b",
                    "x:y",
                    "\"a\nb\"",
                    "plain\n  more",
                    "",
                ]);
                self.out.push_str(v);
            }
        }
        if n > 0 && self.rng.chance(10) {
            self.out.push(',');
        }
        if self.rng.chance(10) {
            self.out.push('\n');
            let k = self.rng.below(indent + 3);
            self.spaces(k);
        }
        self.out.push(if map { '}' } else { ']' });
        self.depth -= 1;
    }

    fn block_scalar(&mut self, indent: usize) {
        let header = self
            .rng
            .pick(&["|", "|-", "|+", ">", ">-", ">+", "|2", ">1-"]);
        self.out.push_str(header);
        self.comment();
        self.out.push('\n');
        let content = indent + 1 + self.rng.below(3);
        let lines = self.rng.below(5);
        for _ in 0..lines {
            match self.rng.below(6) {
                0 => self.out.push('\n'),
                1 => self.loosely_indented(content + 3, "\n"),
                2 => {
                    let n = content + 1 + self.rng.below(3);
                    self.spaces(n);
                    self.out.push_str("more indented\n");
                }
                3 => {
                    self.spaces(content);
                    self.out.push_str("\ttab start\n");
                }
                _ => {
                    self.spaces(content);
                    let text = self.rng.pick(&["line", "# not a comment", "a: b", "- x"]);
                    self.out.push_str(text);
                    if self.rng.chance(20) {
                        self.out.push_str("  ");
                    }
                    self.out.push('\n');
                }
            }
        }
        if lines == 0 || self.rng.chance(50) {
            self.spaces(content);
            self.out.push_str("last\n");
        }
    }

    /// A collection's header line ends: maybe a tag, maybe a comment.
    fn maybe_tag_then_line_end(&mut self) {
        if self.rng.chance(30) {
            self.out.push(' ');
            let tag = self.rng.pick(TAGS);
            self.out.push_str(tag);
        }
        self.comment();
        self.out.push('\n');
    }

    /// The node after `key:` or `- ` (the indicator is already written).
    fn value(&mut self, indent: usize) {
        let deeper = indent + 1 + self.rng.below(3);
        match self.rng.below(11) {
            0..=2 => {
                self.out.push(' ');
                self.scalar();
                if self.rng.chance(10) {
                    self.out.push('\n');
                    self.loosely_indented(indent + 4, "continued");
                }
                self.comment();
                self.out.push('\n');
            }
            3 if self.depth < 8 => {
                self.maybe_tag_then_line_end();
                self.filler_lines(indent);
                self.mapping(deeper);
            }
            4 if self.depth < 8 => {
                self.maybe_tag_then_line_end();
                let at = if self.rng.chance(40) { indent } else { deeper };
                self.sequence(at);
            }
            5 => {
                self.out.push(' ');
                if self.rng.chance(30) {
                    let tag = self.rng.pick(TAGS);
                    self.out.push_str(tag);
                    self.out.push(' ');
                }
                self.flow(indent);
                self.comment();
                self.out.push('\n');
            }
            6 => {
                self.out.push(' ');
                if self.rng.chance(30) {
                    let tag = self.rng.pick(TAGS);
                    self.out.push_str(tag);
                    self.out.push(' ');
                }
                self.block_scalar(indent);
            }
            7 => {
                // Empty, possibly tagged.
                if self.rng.chance(40) {
                    self.out.push(' ');
                    let tag = self.rng.pick(TAGS);
                    self.out.push_str(tag);
                }
                self.comment();
                self.out.push('\n');
            }
            8 => {
                // The value on the next line.
                self.out.push('\n');
                self.spaces(deeper);
                self.scalar();
                self.out.push('\n');
            }
            9 => {
                self.out
                    .push_str(self.rng.pick(&[" &a x\n", " *a\n", " - x\n", " ? x\n"]));
            }
            _ => {
                self.out.push(' ');
                self.scalar();
                self.out.push('\n');
            }
        }
    }

    fn mapping(&mut self, indent: usize) {
        self.depth += 1;
        let n = 1 + self.rng.below(4);
        for i in 0..n {
            if i > 0 || !self.out.ends_with("- ") {
                let drift = if self.rng.chance(3) { 1 } else { 0 };
                self.spaces(indent + drift);
            }
            let key = self.rng.pick(KEYS);
            self.out.push_str(key);
            self.out.push(':');
            self.value(indent);
            self.filler_lines(indent);
        }
        self.depth -= 1;
    }

    fn sequence(&mut self, indent: usize) {
        self.depth += 1;
        let n = 1 + self.rng.below(4);
        for i in 0..n {
            if i > 0 || !self.out.ends_with("- ") {
                self.spaces(indent);
            }
            self.out.push('-');
            match self.rng.below(6) {
                0 if self.depth < 8 => {
                    self.out.push(' ');
                    self.mapping(indent + 2);
                }
                1 if self.depth < 8 => {
                    self.out.push(' ');
                    self.sequence(indent + 2);
                }
                _ => self.value(indent),
            }
            self.filler_lines(indent);
        }
        self.depth -= 1;
    }

    fn document(seed: u64) -> String {
        let mut g = Gen {
            rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
            out: String::new(),
            depth: 0,
        };
        if g.rng.chance(15) {
            g.out.push_str(g.rng.pick(&[
                "---\n",
                "--- # start\n",
                "# header\n---\n",
                "%YAML 1.2\n---\n",
            ]));
        }
        match g.rng.below(10) {
            0 => {
                g.flow(0);
                g.out.push('\n');
            }
            1 => g.sequence(0),
            _ => g.mapping(0),
        }
        if g.rng.chance(5) {
            g.out
                .push_str(g.rng.pick(&["...\n", "---\nB: 1\n", "# end"]));
        }
        if g.rng.chance(10) {
            g.out = g.out.replace('\n', "\r\n");
        }
        g.out
    }
}

/// A random small edit: a deleted, doubled or inserted character, or a line moved by a column.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(chars.len());
        match rng.below(4) {
            0 => {
                chars.remove(at);
            }
            1 => chars.insert(at, chars[at]),
            2 => {
                const INSERTS: &[char] = &[
                    ' ', '\t', ':', '#', '-', '"', '\'', '\n', '!', '&', '*', '[', ']', '{', '}',
                    ',', '|', '>', '\\', '?', '\r', 'é',
                ];
                chars.insert(at, INSERTS[rng.below(INSERTS.len())]);
            }
            _ => {
                // Indent or outdent the line `at` is on.
                let start = chars[..at]
                    .iter()
                    .rposition(|&c| c == '\n')
                    .map_or(0, |p| p + 1);
                if rng.chance(50) {
                    chars.insert(start, ' ');
                } else if chars.get(start) == Some(&' ') {
                    chars.remove(start);
                }
            }
        }
        if chars.is_empty() {
            break;
        }
    }
    chars.into_iter().collect()
}

/// The property: whatever the fast reader accepts, the general parser reads identically.
fn check_same(text: &str, what: &str) -> bool {
    let opts = ParseOptions::default();
    let Some(fast) = parse_fast(text, &opts) else {
        return false;
    };
    let general: Document = match parse_general(text, &opts) {
        Ok(d) => d,
        Err(e) => panic!(
            "{what}: the fast reader accepts text the general parser rejects ({}):\n{text:?}",
            e.message
        ),
    };
    assert!(
        fast == general,
        "{what}: the readers disagree on\n{text:?}\nfast:    {fast:#?}\ngeneral: {general:#?}"
    );
    true
}

fn cases() -> u64 {
    std::env::var("FAST_READER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000)
}

#[test]
fn generated_documents_read_the_same_both_ways() {
    let (mut fast, mut total) = (0, 0);
    for seed in 0..cases() {
        let text = Gen::document(seed);
        total += 1;
        if check_same(&text, &format!("seed {seed}")) {
            fast += 1;
        }
    }
    // The generator stays mostly inside the subset; if the fast reader stopped accepting it,
    // this test would no longer be checking anything.
    assert!(
        fast * 6 > total,
        "the fast reader accepted only {fast} of {total} generated documents"
    );
}

#[test]
fn edited_documents_read_the_same_both_ways() {
    let mut rng = Rng(0x51_7cc1_b727_220a);
    let mut fast = 0;
    for seed in 0..cases() {
        let text = Gen::document(seed + 1_000_000);
        for edit in 0..3 {
            let edited = mutate(&text, &mut rng);
            if check_same(&edited, &format!("seed {seed} edit {edit}")) {
                fast += 1;
            }
        }
    }
    assert!(fast > 0, "no edited document was read by the fast reader");
}

#[test]
fn fixtures_read_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut fast = 0;
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        if check_same(&text, &entry.path().display().to_string()) {
            fast += 1;
        }
    }
    assert!(
        fast > 100,
        "only {fast} fixtures were read by the fast reader"
    );
}

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn corpus_reads_the_same_both_ways_and_mostly_fast() {
    let dir = common::corpus();
    let list = std::fs::read_to_string(dir.join("valid-templates.txt")).expect("the corpus's list");
    let (mut fast, mut total) = (0, 0);
    for rel in list.lines().filter(|l| !l.is_empty()) {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
            continue;
        };
        total += 1;
        if check_same(&text, rel) {
            fast += 1;
        }
    }
    // What the fast reader is for: nearly every real template takes the fast path.
    assert!(
        fast * 100 >= total * 95,
        "the fast reader read only {fast} of {total} corpus templates"
    );
}

#[test]
fn syntax_errors_still_come_from_the_general_parser() {
    let opts = ParseOptions::default();
    for text in [
        "A: b: c\n",
        "A:\n  - x\n  y: z\n",
        "A: 'open\n",
        "A:\n\t- x\n",
        "A: [a, b\n",
        "A: 1\n---\nB: 2\n",
    ] {
        assert!(parse_fast(text, &opts).is_none(), "{text:?}");
        let e = parse(text, &opts).expect_err(text);
        assert!(!e.message.is_empty());
    }
}

#[test]
fn what_templates_are_made_of_takes_the_fast_path() {
    let opts = ParseOptions::default();
    for text in [
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n",
        "---\n# leading comment\nA: 1 # trailing\n",
        "A:\n- x\n- !Ref y\nB: !GetAtt R.Arn\n",
        "A: !If\n  - C\n  - - a\n    - b\n  - !Ref AWS::NoValue\n",
        "A: |\n  line one\n\n    indented\n  last\nB: >-\n  folded\n  text\n",
        "A: {Service: [lambda.amazonaws.com]}\nB: !Sub ['${x}', {x: !Ref Y}]\n",
        "{\n  \"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}},\n  \"N\": [1, -2.5, true, null]\n}\n",
        "Description: a long\n  description over\n\n  lines\nB: 'quoted\n  over lines'\n",
        "A:\n  !GetAZs\nB: !GetAZs\nC:\n",
        "A: \"esc \\\" \\\\ \\n \\u00e9\"\nB: 'it''s'\n",
        "A: 1\r\nB:\r\n  - x\r\n",
    ] {
        let fast = parse_fast(text, &opts).unwrap_or_else(|| panic!("not fast: {text:?}"));
        assert!(fast == parse_general(text, &opts).unwrap(), "{text:?}");
    }
}

#[test]
fn yaml_outside_the_subset_is_left_to_the_general_parser() {
    let opts = ParseOptions::default();
    for text in [
        "A: &x 1\nB: *x\n",
        "<<: {a: 1}\nA: &a [1]\n",
        "%YAML 1.1\n---\nA: 1\n",
        "? complex\n: key\n",
        "A: \"escaped \\\n  break\"\n",
        "\u{feff}A: 1\n",
        "A: !!str 1\n",
        "A: |2\n   x\n",
        "A: [a: 1]\n",
        "A: x\n...\n",
        "A: b\tc\nB:\t1\n",
    ] {
        assert!(parse_fast(text, &opts).is_none(), "{text:?}");
        assert!(parse_general(text, &opts).is_ok(), "{text:?}");
        assert!(parse(text, &opts).is_ok(), "{text:?}");
    }
}

/// YAML limits an implicit key to 1024 characters, in flow collections too (a fuzzer found the
/// fast reader accepting a 1.3 KB JSON key the general parser rejects), and the general parser
/// counts the spaces before the `:` (a review found that).
#[test]
fn keys_around_the_length_limit_read_the_same_both_ways() {
    for n in 1015..1035 {
        let k = "a".repeat(n);
        for text in [
            format!("{k}: 1\n"),
            format!("\"{k}\": 1\n"),
            format!("{{{k}: 1}}\n"),
            format!("{{\"{k}\": 1}}\n"),
            format!("A: {{\"{k}\": [1]}}\n"),
            format!("{}: 1\n", "é".repeat(n / 2)),
            format!("a{}: 1\n", " ".repeat(n)),
            format!("- a{}: 1\n", " ".repeat(n)),
            format!("{{\"a\"{}: 1}}\n", " ".repeat(n)),
        ] {
            check_same(&text, &format!("key of {n}"));
        }
    }
}

/// Tags alone on their lines, each under the last: the fast reader must neither recurse once per
/// line nor accept the doubled tags the general parser rejects.
#[test]
fn a_ladder_of_lone_tags_is_not_followed() {
    let mut text = String::from("A:\n");
    for i in 1..1_500 {
        text.push_str(&" ".repeat(i));
        text.push_str("!T\n");
    }
    text.push_str(&" ".repeat(1_500));
    text.push_str("x\n");
    check_same(&text, "ladder");
    check_same("A: !T\n  !U x\n", "two tags");
    check_same("A: !T\n  x\n", "tag above");
}

/// A key with an empty value followed by a long commented-out block is valid YAML. granit
/// stopped after 96 buffered comments with a syntax error (the fuzzer found it through the fast
/// reader, which read the file); both readers now accept it.
#[test]
fn an_empty_value_followed_by_many_comment_lines_is_valid() {
    for n in [95, 96, 97, 500, 5_000] {
        for head in ["e:\n", "a:\n  b:\n", "a:\n- \n"] {
            let text = format!("{head}{}f: 1\n", "# old line\n".repeat(n));
            let document = parse(&text, &ParseOptions::default())
                .unwrap_or_else(|e| panic!("{n} comments after {head:?}: {}", e.message));
            assert_eq!(document.comments.len(), n);
            check_same(&text, &format!("{n} comments after {head:?}"));
        }
    }
    // The general parser still has a limit, 65,536; the fast reader must not read past it.
    for n in [65_535, 65_536, 65_537] {
        for head in ["e:\n", "e: # x\n", "a:\n", "- \n"] {
            let tail = if head == "a:\n" { "  b: 1\n" } else { "f: 1\n" };
            let text = format!("{head}{}{tail}", "#\n".repeat(n));
            check_same(&text, &format!("{n} comments after {head:?}"));
        }
    }
}
