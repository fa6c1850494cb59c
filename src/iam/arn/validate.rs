//! What is certainly wrong in an ARN's literal fields: a partition AWS does not have, an account
//! that is not 12 digits, a region or account where the service takes none. Apart from parsing
//! because only literal fields can be judged, and only against the catalogue's formats.

use super::intersect::intersects;
use super::{Arn, ArnProblem, Tok};
use crate::iam::catalog::Catalog;

/// Partitions AWS has.
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Problems of an ARN's fields (the parts that are literal): unknown partition, account that is
/// not 12 digits, region or account where the service takes none.
pub fn validate(arn: &Arn, catalog: &Catalog) -> Option<ArnProblem> {
    let mut buf = String::new();
    if let Some(partition) = arn.partition.literal_in(&mut buf) {
        if !PARTITIONS.contains(&partition) {
            let suggestion =
                crate::suggest::closest(partition, PARTITIONS.iter().copied()).unwrap_or("aws");
            return Some(ArnProblem {
                span: arn.partition.span,
                message: format!("`{partition}` is not an AWS partition"),
                help: format!(
                    "did you mean `{suggestion}`? (or `${{AWS::Partition}}` in a `!Sub`)"
                ),
            });
        }
    }
    if let Some(account) = arn.account.literal_in(&mut buf) {
        let twelve_digits = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        // `aws` owns AWS managed policies; some services use other fixed owners.
        if !account.is_empty()
            && !twelve_digits
            && !account.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        {
            return Some(ArnProblem {
                span: arn.account.span,
                message: format!("account `{account}` is not a 12-digit AWS account ID"),
                help: "write the 12-digit account ID, `${AWS::AccountId}` in a `!Sub`, or `*`"
                    .into(),
            });
        }
    }
    let service = catalog.service(arn.service.literal_in(&mut buf)?)?;
    let formats: Vec<(&str, &[Tok])> = service
        .resource_types()
        .iter()
        .flat_map(|rt| {
            rt.arn_formats
                .iter()
                .copied()
                .zip(rt.format_tokens().iter().map(|t| &**t))
        })
        .collect();
    if formats.is_empty() {
        return None;
    }
    let fitting: Vec<&str> = formats
        .iter()
        .filter(|(_, f)| intersects(&arn.toks, f))
        .map(|(text, _)| *text)
        .collect();
    if !fitting.is_empty() {
        return missing_fields(arn, service.prefix, &fitting);
    }
    // A region or account the service does not take: dropping it makes the ARN fit. (Symbols
    // and wildcards may stand for the empty text, so only literal fields get here.)
    let region = drop_fields(arn, &[3]);
    let account = drop_fields(arn, &[4]);
    let both = drop_fields(arn, &[3, 4]);
    let candidates = [
        (&arn.region, region, "region"),
        (&arn.account, account, "account"),
        (&arn.region, both, "region or account"),
    ];
    for (field, toks, what) in candidates {
        if field.is_empty() {
            continue;
        }
        if let Some((format, _)) = formats.iter().find(|(_, f)| intersects(&toks, f)) {
            let span = if what == "region or account" {
                arn.region.span.cover(arn.account.span)
            } else {
                field.span
            };
            return Some(ArnProblem {
                span,
                message: format!("`{}` ARNs of this kind take no {what}", service.prefix),
                help: format!("leave the {what} field empty, as in `{format}`"),
            });
        }
    }
    // An empty region (or account) the service needs: filling it makes the ARN fit.
    let empty: Vec<usize> = [(3, &arn.region), (4, &arn.account)]
        .into_iter()
        .filter(|(_, f)| f.is_empty())
        .map(|(i, _)| i)
        .collect();
    if !empty.is_empty() {
        let filled = fill_fields(arn, &empty);
        let fitting: Vec<&str> = formats
            .iter()
            .filter(|(_, f)| intersects(&filled, f))
            .map(|(text, _)| *text)
            .collect();
        if !fitting.is_empty() {
            return missing_fields(arn, service.prefix, &fitting);
        }
    }
    None
}

/// Services whose resources all belong to an account (and, but for IAM, to a region), so an ARN
/// without one matches nothing.
const ACCOUNT_OWNED: &[&str] = &[
    "iam",
    "sqs",
    "sns",
    "dynamodb",
    "lambda",
    "logs",
    "kms",
    "secretsmanager",
    "events",
    "kinesis",
    "firehose",
    "ecr",
    "states",
    "codebuild",
    "codecommit",
    "elasticfilesystem",
];

/// The tokens with a one-field wildcard in each of the (empty) region (3) and account (4)
/// fields.
fn fill_fields(arn: &Arn, indexes: &[usize]) -> Vec<Tok> {
    let mut out = arn.toks.clone();
    // From the right, so earlier insertions do not move later positions.
    for &i in indexes.iter().rev() {
        let at = prefix_len(arn, i).min(out.len());
        out.insert(at, Tok::SEGMENT);
    }
    out
}

/// A region or account left empty where every format the ARN fits has one: the ARN then
/// matches no real resource (`arn:aws:iam:::role/x`, `arn:aws:sqs:::queue`).
fn missing_fields(arn: &Arn, service: &str, fitting: &[&str]) -> Option<ArnProblem> {
    let field_of =
        |format: &str, index: usize| format.split(':').nth(index).unwrap_or("").to_string();
    let needs = |index: usize| fitting.iter().all(|f| !field_of(f, index).is_empty());
    // Regional services whose every resource lives in a region: elsewhere an empty region may
    // be documented (Bedrock's global inference routes to `arn:aws:bedrock:::foundation-model/…`).
    let region =
        arn.region.is_empty() && needs(3) && service != "iam" && ACCOUNT_OWNED.contains(&service);
    // Some resources belong to AWS rather than to an account and have none in their ARN (public
    // AMIs, AWS-owned SSM documents, Bedrock foundation models): only services whose every
    // resource is an account's own are judged on the account.
    let account = arn.account.is_empty() && needs(4) && ACCOUNT_OWNED.contains(&service);
    let what = match (region, account) {
        (true, true) => "a region and an account",
        (true, false) => "a region",
        (false, true) => "an account",
        (false, false) => return None,
    };
    let example = fitting[0]
        .replace("${Partition}", "${AWS::Partition}")
        .replace("${Region}", "${AWS::Region}")
        .replace("${Account}", "${AWS::AccountId}");
    let span = match (region, account) {
        (true, false) => arn.region.span,
        (false, true) => arn.account.span,
        _ => arn.region.span.cover(arn.account.span),
    };
    Some(ArnProblem {
        span,
        message: format!("`{service}` ARNs of this kind need {what}, and this one has none"),
        help: format!(
            "write {what} (`${{AWS::Region}}`, `${{AWS::AccountId}}` in a `!Sub`), as in `{example}`"
        ),
    })
}

/// Number of tokens before field `index` (0 = `arn`) including its leading colon.
fn prefix_len(arn: &Arn, index: usize) -> usize {
    let fields = [&arn.partition, &arn.service, &arn.region, &arn.account];
    4 + fields
        .iter()
        .take(index - 1)
        .map(|f| f.toks.len() + 1)
        .sum::<usize>()
}

/// The tokens without the region (3) and/or account (4) fields, keeping their colons.
fn drop_fields(arn: &Arn, indexes: &[usize]) -> Vec<Tok> {
    let ranges: Vec<(usize, usize)> = indexes
        .iter()
        .map(|&i| {
            let field = if i == 3 { &arn.region } else { &arn.account };
            let start = prefix_len(arn, i);
            (start, start + field.toks.len())
        })
        .collect();
    arn.toks
        .iter()
        .enumerate()
        .filter(|(i, _)| !ranges.iter().any(|(a, b)| (*a..*b).contains(i)))
        .map(|(_, t)| *t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::arn;
    use super::*;

    #[test]
    fn validation() {
        let c = Catalog::embedded();
        let check = |s: &str| validate(arn(s).arn().unwrap(), c).map(|p| p.message);
        assert_eq!(check("arn:aws:s3:::b/*"), None);
        assert_eq!(
            check("arn:aws:s3:us-east-1::b/*").as_deref(),
            Some("`s3` ARNs of this kind take no region")
        );
        assert_eq!(
            check("arn:aws:iam:us-east-1:123456789012:role/x").as_deref(),
            Some("`iam` ARNs of this kind take no region")
        );
        assert_eq!(
            check("arn:aws:iam::12345:role/x").as_deref(),
            Some("account `12345` is not a 12-digit AWS account ID")
        );
        assert_eq!(
            check("arn:amazon:s3:::b").as_deref(),
            Some("`amazon` is not an AWS partition")
        );
        assert_eq!(check("arn:aws:iam::aws:policy/ReadOnlyAccess"), None);
        assert_eq!(check("arn:aws:sqs:*:*:q"), None);
        assert_eq!(
            check("arn:aws:iam:::role/x").as_deref(),
            Some("`iam` ARNs of this kind need an account, and this one has none")
        );
        assert_eq!(
            check("arn:aws:sqs:::orders").as_deref(),
            Some("`sqs` ARNs of this kind need a region and an account, and this one has none")
        );
        assert_eq!(
            check("arn:aws:cloudfront::111122223333:distribution/E1"),
            None
        );
        assert_eq!(check("arn:aws:route53:::hostedzone/Z1"), None);
    }
}
