//! "Did you mean …?": pick the candidate closest to a misspelt word.
//!
//! Shared by every rule that names something the user could have typo'd (template names,
//! intrinsic tags, IAM actions, rule names on the command line).

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
    osa(
        &a.chars().collect::<Vec<_>>(),
        &b.chars().collect::<Vec<_>>(),
    )
}

/// [`distance`] ignoring ASCII case (IAM action and service names are case-insensitive).
pub fn distance_ignore_case(a: &str, b: &str) -> usize {
    let lower = |s: &str| {
        s.chars()
            .map(|c| c.to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    osa(&lower(a), &lower(b))
}

fn osa(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    // Three rolling rows: the transposition step looks two rows back.
    let mut two_back = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(two_back[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_transpositions_as_one_edit() {
        assert_eq!(distance("Bukcet", "Bucket"), 1);
        assert_eq!(distance("GetAttr", "GetAtt"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("same", "same"), 0);
        assert_eq!(distance_ignore_case("GetObjekt", "getobject"), 1);
        assert_eq!(distance_ignore_case("sms", "SSM"), 1);
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
    fn never_suggests_the_word_itself() {
        assert_eq!(closest("Bucket", ["Bucket"]), None);
        assert_eq!(closest("Bucket", ["Bucket", "Buckets"]), Some("Buckets"));
    }
}
