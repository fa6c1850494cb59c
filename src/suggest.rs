//! "Did you mean …?": pick the candidate closest to a misspelt word.
//!
//! Two entry points, one algorithm:
//! - [`suggest`] for the tool's own vocabulary that a user types (rule names and codes on the
//!   command line, in `explain`, in the configuration and in suppressions; configuration
//!   keys): an abbreviation or a fragment (`tab-indent`, `indentation`) finds the name it is
//!   part of before edit distance is tried, since people shorten names they half remember.
//! - [`closest`] for names in the checked files (template sections, logical IDs, tags, IAM
//!   elements): edit distance only, because there a name that merely starts like another
//!   (`Bucket` next to `BucketPolicy`) is usually a different thing, not a typo.

/// The candidate the user most likely meant by `word`, if any is close enough.
///
/// A candidate equal to `word` ignoring ASCII case wins outright (`resources` → `Resources`).
/// Otherwise the candidate with the smallest Damerau-Levenshtein distance (adjacent
/// transpositions count as one edit) wins, provided the distance is small relative to the
/// word's length, so short words only match near-identical candidates. Ties keep the first
/// candidate, which makes results deterministic for a deterministic candidate order.
/// Candidates identical to `word` are skipped: suggesting the same name helps no one.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(usize, &'a str)> = None;
    let limit = max_distance(word);
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        if candidate.eq_ignore_ascii_case(word) {
            return Some(candidate);
        }
        // The length difference is a lower bound of the distance: skip hopeless candidates
        // without running the quadratic algorithm.
        let len_gap = candidate.chars().count().abs_diff(word.chars().count());
        if len_gap > limit {
            continue;
        }
        let d = distance(&word.to_lowercase(), &candidate.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// The name the user most likely meant by `word`: a candidate equal to it ignoring ASCII case;
/// else the shortest candidate that starts with it; else the shortest that contains it; else
/// [`closest`] by edit distance. Prefix and substring matches need at least three characters
/// (`ta` is no evidence of `tab-indentation`) and ignore ASCII case. Ties keep the first
/// candidate. Candidates identical to `word` are skipped.
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let candidates = candidates.into_iter();
    let others = || candidates.clone().filter(|c| *c != word);
    if let Some(same) = others().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(same);
    }
    if word.chars().count() >= 3 {
        let lower = word.to_ascii_lowercase();
        let shortest = |keep: &dyn Fn(&str) -> bool| {
            others().filter(|c| keep(&c.to_ascii_lowercase())).fold(
                None,
                |best: Option<&'a str>, c| match best {
                    Some(b) if b.len() <= c.len() => Some(b),
                    _ => Some(c),
                },
            )
        };
        let found =
            shortest(&|c| c.starts_with(&lower)).or_else(|| shortest(&|c| c.contains(&lower)));
        if found.is_some() {
            return found;
        }
    }
    closest(word, candidates)
}

/// How many edits still look like a typo rather than a different word.
fn max_distance(word: &str) -> usize {
    match word.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        6..=10 => 2,
        n => 3.max(n / 5),
    }
}

/// Optimal-string-alignment Damerau-Levenshtein distance over Unicode scalar values.
pub fn distance(a: &str, b: &str) -> usize {
    if a.is_ascii() && b.is_ascii() {
        return osa(a.as_bytes(), b.as_bytes(), |x, y| x == y, usize::MAX).unwrap_or(usize::MAX);
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    osa(&a, &b, |x, y| x == y, usize::MAX).unwrap_or(usize::MAX)
}

/// [`distance`] ignoring ASCII case (IAM action and service names are case-insensitive).
/// Did-you-mean searches run it against thousands of names, so ASCII input is compared in
/// place, without collecting characters.
pub fn distance_ignore_case(a: &str, b: &str) -> usize {
    distance_ignore_case_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`distance_ignore_case`] when it is at most `max`, else `None`, found without finishing the
/// table once every alignment already costs more than `max`: a search through thousands of
/// candidates only cares about the near ones.
pub fn distance_ignore_case_within(a: &str, b: &str, max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max && a.is_ascii() && b.is_ascii() {
        return None;
    }
    if a.is_ascii() && b.is_ascii() {
        return osa(
            a.as_bytes(),
            b.as_bytes(),
            |x, y| x.eq_ignore_ascii_case(y),
            max,
        );
    }
    let lower = |s: &str| {
        s.chars()
            .map(|c| c.to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    osa(&lower(a), &lower(b), |x, y| x == y, max)
}

/// Optimal-string-alignment distance, or `None` as soon as it must exceed `max`.
///
/// A row's smallest value never decreases from one row to the next (a transposition costs at
/// least what the diagonal step before it did), so once a whole row is above `max` the answer
/// is too.
fn osa<T: Copy>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool, max: usize) -> Option<usize> {
    let width = b.len() + 1;
    // Three rolling rows (the transposition step looks two rows back), on the stack for the
    // short names this is used on.
    let mut stack = [0usize; 3 * 65];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if 3 * width <= stack.len() {
        &mut stack[..3 * width]
    } else {
        heap.resize(3 * width, 0);
        &mut heap
    };
    let (mut two_back, mut prev, mut cur) = (0, width, 2 * width);
    for (j, cell) in rows[prev..prev + width].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[cur] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(!same(&a[i - 1], &b[j - 1]));
            let mut v = (rows[prev + j] + 1)
                .min(rows[cur + j - 1] + 1)
                .min(rows[prev + j - 1] + cost);
            if i > 1 && j > 1 && same(&a[i - 1], &b[j - 2]) && same(&a[i - 2], &b[j - 1]) {
                v = v.min(rows[two_back + j - 2] + 1);
            }
            rows[cur + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        (two_back, prev, cur) = (prev, cur, two_back);
    }
    Some(rows[prev + b.len()]).filter(|d| *d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stopping early never changes a distance within the bound, and never lets a farther
    /// one through.
    #[test]
    fn bounded_distance_agrees_with_the_full_table() {
        let words = [
            "GetObject",
            "getobjekt",
            "PutObject",
            "GetObjectAcl",
            "ListBucket",
            "ListBuckets",
            "DescribeInstances",
            "DescribeInstance",
            "ssm",
            "sms",
            "",
            "a",
            "ab",
            "ba",
            "SendMessageBatch",
            "SendMessage",
            "tGeObject",
        ];
        let mut within = 0;
        for a in words {
            for b in words {
                let full = distance_ignore_case(a, b);
                for max in 0..6 {
                    let bounded = distance_ignore_case_within(a, b, max);
                    assert_eq!(bounded, Some(full).filter(|d| *d <= max), "{a} {b} {max}");
                    within += usize::from(bounded.is_some());
                }
            }
        }
        assert!(within > 50);
    }

    #[test]
    fn distance_counts_transpositions_as_one_edit() {
        assert_eq!(distance("Bukcet", "Bucket"), 1);
        assert_eq!(distance("GetAttr", "GetAtt"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("same", "same"), 0);
        assert_eq!(distance_ignore_case("GetObjekt", "getobject"), 1);
        assert_eq!(distance_ignore_case("sms", "SSM"), 1);
        // Non-ASCII text goes through characters, long text through the heap rows.
        assert_eq!(distance("Bücket", "Bucket"), 1);
        assert_eq!(distance_ignore_case("ÄB", "äb"), 1);
        let long = "a".repeat(100);
        assert_eq!(distance(&long, &format!("{long}bc")), 2);
    }

    #[test]
    fn case_insensitive_match_wins_over_closer_edits() {
        let names = ["Resourcez", "resources"];
        assert_eq!(closest("Resources", names), Some("resources"));
    }

    #[test]
    fn picks_the_nearest_and_rejects_far_words() {
        let sections = ["Parameters", "Resources", "Outputs", "Conditions"];
        assert_eq!(closest("Resource", sections), Some("Resources"));
        assert_eq!(closest("Output", sections), Some("Outputs"));
        assert_eq!(closest("Banana", sections), None);
        // Short words need an exact-but-for-case match.
        assert_eq!(closest("ab", ["ac"]), None);
    }

    #[test]
    fn suggest_prefers_a_name_the_word_starts_or_is_part_of() {
        let rules = [
            "inconsistent-indentation",
            "tab-indentation",
            "unknown-action",
            "unknown-tag",
            "Y002",
        ];
        // An abbreviation: five edits away, so edit distance alone finds nothing.
        assert_eq!(closest("tab-indent", rules), None);
        assert_eq!(suggest("tab-indent", rules), Some("tab-indentation"));
        assert_eq!(suggest("TAB-INDENT", rules), Some("tab-indentation"));
        // A fragment: the shortest name that contains it.
        assert_eq!(suggest("indentation", rules), Some("tab-indentation"));
        // Two names start with it: the shorter.
        assert_eq!(suggest("unknown", rules), Some("unknown-tag"));
        // Typos still go through edit distance.
        assert_eq!(suggest("unknwn-action", rules), Some("unknown-action"));
        assert_eq!(suggest("y002", rules), Some("Y002"));
        // Too short to be evidence, and nonsense.
        assert_eq!(suggest("ta", rules), None);
        assert_eq!(suggest("zzzzzzzz", rules), None);
        assert_eq!(suggest("tab-indentation", rules), None);
    }

    #[test]
    fn never_suggests_the_word_itself() {
        assert_eq!(closest("Bucket", ["Bucket"]), None);
        assert_eq!(closest("Bucket", ["Bucket", "Buckets"]), Some("Buckets"));
    }
}
