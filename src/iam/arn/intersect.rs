//! Whether two token patterns (a policy's ARN, a catalogue format) can match the same string.
//! Resource-scope checks ask it of every resource against many formats, so this is where speed
//! matters: the shortcuts live here, next to the plain search the tests compare them with.

use super::Tok;

impl Tok {
    /// Whether `c` may stand where this token is. Only matching asks, so it lives here.
    fn allows(self, c: char) -> bool {
        match self {
            Tok::Char(x) => x.eq_ignore_ascii_case(&c),
            Tok::Any { colon, slash, .. } => (colon || c != ':') && (slash || c != '/'),
        }
    }
}

/// Whether two token patterns share at least one string. Breadth-first over pairs of positions,
/// so the cost is bounded by the product of the lengths.
///
/// Every resource of every statement is compared with many formats, so two things keep it
/// cheap: literal characters both patterns start (or end) with are compared directly and cut
/// off first (most formats of a service already differ there), and the search reuses
/// per-thread buffers instead of allocating.
pub fn intersects(a: &[Tok], b: &[Tok]) -> bool {
    // Two ARNs (or formats) whose first five fields cannot hold a `:` split into the same six
    // fields in any string both match, so they intersect exactly when every pair of fields
    // does: each comparison is short and most end at a literal difference right away.
    if let (Some(x), Some(y)) = (arn_fields(a), arn_fields(b)) {
        return x.iter().zip(&y).all(|(f, g)| intersects_plain(f, g));
    }
    intersects_plain(a, b)
}

/// `toks` cut at its first five `:` into six fields, when no token before the fifth can stand
/// for a `:` itself (otherwise the fields of a matching string are not fixed).
fn arn_fields(toks: &[Tok]) -> Option<[&[Tok]; 6]> {
    let mut fields: [&[Tok]; 6] = [&[]; 6];
    let mut start = 0;
    let mut found = 0;
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Char(':') => {
                fields[found] = &toks[start..i];
                start = i + 1;
                found += 1;
                if found == 5 {
                    fields[5] = &toks[start..];
                    return Some(fields);
                }
            }
            Tok::Any { colon: true, .. } => return None,
            _ => {}
        }
    }
    None
}

fn intersects_plain(a: &[Tok], b: &[Tok]) -> bool {
    let (mut a, mut b) = (a, b);
    while let ([Tok::Char(c), a_rest @ ..], [Tok::Char(d), b_rest @ ..]) = (a, b) {
        if !c.eq_ignore_ascii_case(d) {
            return false;
        }
        (a, b) = (a_rest, b_rest);
    }
    while let ([a_rest @ .., Tok::Char(c)], [b_rest @ .., Tok::Char(d)]) = (a, b) {
        if !c.eq_ignore_ascii_case(d) {
            return false;
        }
        (a, b) = (a_rest, b_rest);
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> =
            const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            let (seen, stack) = &mut *scratch;
            search(a, b, seen, stack)
        }
        // Only reachable if `search` ever called back into `intersects`.
        Err(_) => search(a, b, &mut Vec::new(), &mut Vec::new()),
    })
}

/// The search's visited bit set and work stack, kept between calls.
type Scratch = (Vec<u64>, Vec<(u32, u32)>);

fn search(a: &[Tok], b: &[Tok], seen: &mut Vec<u64>, stack: &mut Vec<(u32, u32)>) -> bool {
    let width = b.len() + 1;
    let cells = (a.len() + 1) * width;
    seen.clear();
    seen.resize(cells.div_ceil(64), 0);
    stack.clear();
    stack.push((0, 0));
    let is_seen = |seen: &[u64], slot: usize| seen[slot / 64] & (1 << (slot % 64)) != 0;
    while let Some((i, j)) = stack.pop() {
        let (i, j) = (i as usize, j as usize);
        let slot = i * width + j;
        if is_seen(seen, slot) {
            continue;
        }
        seen[slot / 64] |= 1 << (slot % 64);
        if i == a.len() && j == b.len() {
            return true;
        }
        let mut push = |i: usize, j: usize| {
            if i <= a.len() && j <= b.len() && !is_seen(seen, i * width + j) {
                // Lengths are token counts of one policy string (bounded by the input cap).
                stack.push((i as u32, j as u32));
            }
        };
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        // A `many` token may stop here, consuming nothing more.
        if let Some(Tok::Any { many: true, .. }) = x {
            push(i + 1, j);
        }
        if let Some(Tok::Any { many: true, .. }) = y {
            push(i, j + 1);
        }
        match (x, y) {
            (Some(Tok::Char(c)), Some(Tok::Char(d))) if c.eq_ignore_ascii_case(&d) => {
                push(i + 1, j + 1);
            }
            (Some(Tok::Char(c)), Some(other @ Tok::Any { many, .. })) if other.allows(c) => {
                push(i + 1, if many { j } else { j + 1 });
            }
            (Some(other @ Tok::Any { many, .. }), Some(Tok::Char(d))) if other.allows(d) => {
                push(if many { i } else { i + 1 }, j + 1);
            }
            (Some(Tok::Any { many: m1, .. }), Some(Tok::Any { many: m2, .. })) => {
                // Both can take an ordinary letter.
                push(if m1 { i } else { i + 1 }, if m2 { j } else { j + 1 });
                if !m1 && !m2 {
                    push(i + 1, j + 1);
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::format_tokens;
    use super::super::testing::fits;
    use super::*;

    /// A deterministic pseudo-random `0..n` (xorshift), for the randomized comparisons.
    fn xorshift(seed: u64) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        }
    }

    /// The cut-off literal heads and tails change how fast `intersects` answers, never what:
    /// compare it with the plain search on many small random patterns.
    #[test]
    fn trimming_literal_ends_keeps_the_answer() {
        const ALPHABET: [Tok; 9] = [
            Tok::Char('a'),
            Tok::Char('A'),
            Tok::Char('b'),
            Tok::Char(':'),
            Tok::Char('/'),
            Tok::STAR,
            Tok::QUESTION,
            Tok::SEGMENT,
            Tok::PATH,
        ];
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let (mut agree_true, mut agree_false) = (0, 0);
        for _ in 0..20_000 {
            let mut pattern = || -> Vec<Tok> {
                let len = next(7);
                (0..len).map(|_| ALPHABET[next(ALPHABET.len())]).collect()
            };
            let (a, b) = (pattern(), pattern());
            let plain = search(&a, &b, &mut Vec::new(), &mut Vec::new());
            assert_eq!(intersects(&a, &b), plain, "{a:?} vs {b:?}");
            if plain {
                agree_true += 1;
            } else {
                agree_false += 1;
            }
        }
        // Both answers were exercised, many times.
        assert!(
            agree_true > 1000 && agree_false > 1000,
            "{agree_true} {agree_false}"
        );
    }

    /// Matching field by field gives the answer of the plain search over whole ARN-shaped
    /// patterns, wildcards that may or may not span a `:` included.
    #[test]
    fn field_by_field_keeps_the_answer() {
        const ALPHABET: [Tok; 9] = [
            Tok::Char('a'),
            Tok::Char('b'),
            Tok::Char(':'),
            Tok::Char('/'),
            Tok::STAR,
            Tok::QUESTION,
            Tok::SEGMENT,
            Tok::PATH,
            Tok::Any {
                many: false,
                colon: false,
                slash: true,
            },
        ];
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut split, mut agree_true) = (0, 0);
        for _ in 0..20_000 {
            let mut pattern = || -> Vec<Tok> {
                let mut toks = Vec::new();
                for field in 0..6 {
                    if field > 0 {
                        toks.push(Tok::Char(':'));
                    }
                    // Mostly short literal fields, sometimes a wildcard or a stray `:`.
                    for _ in 0..next(2) {
                        let range = if next(3) == 0 { 9 } else { 1 };
                        toks.push(ALPHABET[next(range)]);
                    }
                }
                toks
            };
            let (a, b) = (pattern(), pattern());
            let plain = search(&a, &b, &mut Vec::new(), &mut Vec::new());
            assert_eq!(intersects(&a, &b), plain, "{a:?} vs {b:?}");
            split += usize::from(arn_fields(&a).is_some() && arn_fields(&b).is_some());
            agree_true += usize::from(plain);
        }
        assert!(split > 5000 && agree_true > 200, "{split} {agree_true}");
    }

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";

    #[test]
    fn buckets_and_objects_are_told_apart() {
        assert!(fits("arn:aws:s3:::b", BUCKET));
        assert!(!fits("arn:aws:s3:::b", OBJECT));
        assert!(fits("arn:aws:s3:::b/*", OBJECT));
        assert!(!fits("arn:aws:s3:::b/*", BUCKET));
        assert!(fits("arn:aws:s3:::*", BUCKET));
        assert!(fits("arn:aws:s3:::*", OBJECT));
        assert!(fits("arn:aws:s3:::b*", OBJECT));
        assert!(!fits("arn:aws:sqs:*:*:q", BUCKET));
        assert!(fits(
            "arn:aws:logs:*:*:log-group:/aws/lambda/x:*",
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"
        ));
    }

    #[test]
    fn symbols_stay_in_their_segment() {
        let toks = |parts: &[Tok]| parts.to_vec();
        let mut object: Vec<Tok> = "arn:aws:s3:::".chars().map(Tok::Char).collect();
        object.push(Tok::SEGMENT);
        object.push(Tok::Char('/'));
        object.push(Tok::STAR);
        assert!(!intersects(&toks(&object), &format_tokens(BUCKET)));
        assert!(intersects(&object, &format_tokens(OBJECT)));
    }
}
