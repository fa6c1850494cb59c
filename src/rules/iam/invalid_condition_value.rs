use std::collections::HashSet;
use std::net::IpAddr;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::{Catalog, ConditionEntry, ConditionOperator, Effect, Statement};
use crate::rules::{FileContext, Rule};
use crate::template::spans::whole_value_span;

declare_rule! {
    /// ## What it does
    /// Reports a condition whose values cannot work with its operator: a `Numeric…` value that
    /// is not a number, a `Date…` value that is neither an ISO 8601 date nor epoch seconds, a
    /// `Bool` or `Null` value other than `true`/`false`, an `IpAddress`/`NotIpAddress` value that
    /// is not an IPv4 or IPv6 address or CIDR block, an `Arn…` value that is not an ARN, a
    /// `BinaryEquals` value that is not base64; also with `…IfExists` and `ForAllValues:`/
    /// `ForAnyValue:`. It also reports an operator of a type the condition key never holds
    /// (`NumericLessThan` on `aws:SourceIp`).
    ///
    /// As warnings, two documented traps: `Bool: {aws:MultiFactorAuthPresent: false}` (the key
    /// is absent for long-term access keys, so a `Deny` on it lets them through; use
    /// `BoolIfExists`), and `ForAllValues:` on a single-valued key in an `Allow` (true when the
    /// key is absent).
    ///
    /// ## Why it matters
    /// IAM rejects some of these when the policy is created; the others make the condition
    /// false (or true) for every request, so the statement silently grants nothing, or guards
    /// nothing.
    ///
    /// ## Example
    /// ```yaml
    /// Condition:
    ///   NumericLessThan: {s3:max-keys: ten}
    ///   IpAddress: {aws:SourceIp: 203.0.113.0/33}
    ///   Bool: {aws:SecureTransport: "yes"}
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// Condition:
    ///   NumericLessThan: {s3:max-keys: "10"}
    ///   IpAddress: {aws:SourceIp: 203.0.113.0/24}
    ///   Bool: {aws:SecureTransport: "true"}
    /// ```
    pub struct InvalidConditionValue {
        name: "invalid-condition-value",
        code: "I033",
        severity: Error,
        family: Iam,
        summary: "A condition value (or key) that does not fit its operator's type",
    }
}

/// What an operator compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::String => "text",
            Kind::Numeric => "numbers",
            Kind::Date => "dates",
            Kind::Bool => "`true` or `false`",
            Kind::Binary => "base64-encoded bytes",
            Kind::Ip => "IP addresses",
            Kind::Arn => "ARNs",
            Kind::Null => "whether the key is absent",
        }
    }
}

/// An operator without its set prefix and `IfExists`: (base, its kind, set prefix).
fn parse_operator(name: &str) -> Option<(&str, Kind, Option<&str>)> {
    let (prefix, rest) = match name.split_once(':') {
        Some((p, r)) if p == "ForAllValues" || p == "ForAnyValue" => (Some(p), r),
        Some(_) => return None,
        None => (None, name),
    };
    let base = rest.strip_suffix("IfExists").unwrap_or(rest);
    let kind = match base {
        "StringEquals"
        | "StringNotEquals"
        | "StringEqualsIgnoreCase"
        | "StringNotEqualsIgnoreCase"
        | "StringLike"
        | "StringNotLike" => Kind::String,
        "NumericEquals"
        | "NumericNotEquals"
        | "NumericLessThan"
        | "NumericLessThanEquals"
        | "NumericGreaterThan"
        | "NumericGreaterThanEquals" => Kind::Numeric,
        "DateEquals"
        | "DateNotEquals"
        | "DateLessThan"
        | "DateLessThanEquals"
        | "DateGreaterThan"
        | "DateGreaterThanEquals" => Kind::Date,
        "Bool" => Kind::Bool,
        "BinaryEquals" => Kind::Binary,
        "IpAddress" | "NotIpAddress" => Kind::Ip,
        "ArnEquals" | "ArnNotEquals" | "ArnLike" | "ArnNotLike" => Kind::Arn,
        "Null" if rest == base => Kind::Null,
        _ => return None,
    };
    Some((base, kind, prefix))
}

/// The kind of value a catalogue key type holds (`ArrayOf…` by its elements).
fn key_kind(value_type: &str) -> Option<Kind> {
    let element = value_type.strip_prefix("ArrayOf").unwrap_or(value_type);
    Some(match element.to_ascii_lowercase().as_str() {
        "string" => Kind::String,
        "numeric" | "long" | "integer" => Kind::Numeric,
        "date" => Kind::Date,
        "bool" | "boolean" => Kind::Bool,
        "ipaddress" => Kind::Ip,
        "arn" => Kind::Arn,
        "binary" => Kind::Binary,
        _ => return None,
    })
}

/// Whether an operator of kind `op` can ever match a key holding `key` values. String
/// operators compare the text of any value; ARN operators also work on text keys holding ARNs.
fn fits(op: Kind, key: Kind) -> bool {
    op == key
        || matches!(op, Kind::String | Kind::Null)
        || (op == Kind::Arn && key == Kind::String)
        || (op == Kind::Date && key == Kind::Numeric)
}

/// Why `value` is not a value of kind `kind`, if it is not.
fn value_problem(kind: Kind, value: &str) -> Option<&'static str> {
    let ok = match kind {
        Kind::String => true,
        Kind::Numeric => is_number(value),
        Kind::Date => is_date(value) || is_number(value),
        Kind::Bool | Kind::Null => {
            value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")
        }
        Kind::Binary => is_base64(value),
        Kind::Ip => is_ip_or_cidr(value),
        Kind::Arn => value.starts_with("arn:") || value.chars().all(|c| c == '*' || c == '?'),
    };
    (!ok).then_some(match kind {
        Kind::Numeric => "is not a number",
        Kind::Date => "is neither an ISO 8601 date (`2026-01-31T00:00:00Z`) nor epoch seconds",
        Kind::Bool => "is not `true` or `false`",
        Kind::Null => "is not `true` (the key is absent) or `false` (the key is present)",
        Kind::Binary => "is not base64",
        Kind::Ip => "is not an IP address or CIDR block",
        Kind::Arn => "is not an ARN",
        Kind::String => "",
    })
}

fn is_number(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and `Z` or an offset.
fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 10
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    let (month, day) = (&v[5..7], &v[8..10]);
    if !("01"..="12").contains(&month) || !("01"..="31").contains(&day) {
        return false;
    }
    let rest = &v[10..];
    if rest.is_empty() {
        return true;
    }
    let Some(time) = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' ')) else {
        return false;
    };
    let zone_at = time.find(['Z', '+', '-']).unwrap_or(time.len());
    let (clock, zone) = time.split_at(zone_at);
    let clock_ok = {
        let (hms, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
        let parts: Vec<&str> = hms.split(':').collect();
        (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| p.len() == 2 && p.bytes().all(|c| c.is_ascii_digit()))
            && !fraction.is_empty()
            && fraction.bytes().all(|c| c.is_ascii_digit())
    };
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() >= 3 && zone[1..].bytes().all(|c| c.is_ascii_digit() || c == b':'));
    clock_ok && zone_ok
}

fn is_base64(v: &str) -> bool {
    let body = v.trim_end_matches('=');
    !v.is_empty()
        && v.len().is_multiple_of(4)
        && v.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn is_ip_or_cidr(v: &str) -> bool {
    let (address, prefix) = match v.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (v, None),
    };
    let Ok(ip) = address.parse::<IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= max)
    })
}

impl Rule for InvalidConditionValue {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::new();
        for policy in ctx.policies() {
            for st in &policy.statements {
                let Some(condition) = &st.condition else {
                    continue;
                };
                // Branches of one `Fn::If` can share a statement: judge it once.
                if !seen.insert(std::ptr::from_ref(condition.element.value)) {
                    continue;
                }
                for op in &condition.operators {
                    let Some((base, kind, prefix)) = parse_operator(op.name) else {
                        continue;
                    };
                    for entry in &op.entries {
                        check_entry(ctx, st, op, entry, (base, kind, prefix), out);
                    }
                }
            }
        }
    }
}

fn check_entry(
    ctx: &FileContext<'_>,
    st: &Statement<'_>,
    op: &ConditionOperator<'_>,
    entry: &ConditionEntry<'_>,
    (base, kind, prefix): (&str, Kind, Option<&str>),
    out: &mut Vec<Diagnostic>,
) {
    let key_span = whole_value_span(entry.key, &ctx.source.text);
    let key_type = Catalog::active()
        .condition_key(entry.name)
        .map(|k| k.value_type)
        .filter(|t| !t.is_empty());
    if let Some(key) = key_type.and_then(key_kind) {
        if !fits(kind, key) {
            out.push(
                Diagnostic::new(
                    &InvalidConditionValue::META,
                    key_span,
                    format!(
                        "`{}` holds {}, but `{}` compares {}: the condition can never match",
                        entry.name,
                        key.describe(),
                        op.name,
                        kind.describe()
                    ),
                )
                .with_label(whole_value_span(op.key, &ctx.source.text), "this operator")
                .with_help(format!(
                    "use an operator for {} (e.g. `{}`)",
                    key.describe(),
                    example_operator(key)
                )),
            );
            return;
        }
    }
    for item in &entry.values {
        let Some(value) = item.literal() else {
            continue;
        };
        if let Some(why) = value_problem(kind, &value) {
            out.push(
                Diagnostic::new(
                    &InvalidConditionValue::META,
                    item.span,
                    format!("`{value}` {why}, so `{}` cannot compare it", op.name),
                )
                .with_help(value_help(kind, base)),
            );
        }
    }
    traps(ctx, st, op, entry, (base, kind, prefix), key_type, out);
}

/// The documented traps: MFA tested with `Bool`/`Null` the wrong way round, and `ForAllValues:`
/// on a key with a single value.
fn traps(
    ctx: &FileContext<'_>,
    st: &Statement<'_>,
    op: &ConditionOperator<'_>,
    entry: &ConditionEntry<'_>,
    (base, _kind, prefix): (&str, Kind, Option<&str>),
    key_type: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let key_span = whole_value_span(entry.key, &ctx.source.text);
    let values: Vec<String> = entry.values.iter().filter_map(|v| v.literal()).collect();
    let says_false = values.iter().any(|v| v.eq_ignore_ascii_case("false"));
    let warn = |message: String, help: &str| {
        Diagnostic::new(&InvalidConditionValue::META, key_span, message)
            .with_severity(Severity::Warning)
            .with_help(help.to_string())
    };
    if entry
        .name
        .eq_ignore_ascii_case("aws:MultiFactorAuthPresent")
        && says_false
    {
        if op.name == "Bool" {
            out.push(warn(
                "`Bool: {aws:MultiFactorAuthPresent: false}` does not match requests made with \
                 long-term access keys, which carry no such key"
                    .to_string(),
                "to deny requests without MFA, use `BoolIfExists: {aws:MultiFactorAuthPresent: \
                 false}` in a `Deny`; to require MFA, `Bool: {aws:MultiFactorAuthPresent: true}` \
                 in an `Allow`",
            ));
        } else if base == "Null" && st.effect() == Some(Effect::Allow) {
            out.push(warn(
                "`Null: {aws:MultiFactorAuthPresent: false}` only tests that the key exists, which \
                 it does for every temporary credential, with or without MFA"
                    .to_string(),
                "to require MFA, use `Bool: {aws:MultiFactorAuthPresent: true}`",
            ));
        }
    }
    let single_valued = key_type.is_some_and(|t| !t.starts_with("ArrayOf"));
    if prefix == Some("ForAllValues") && single_valued && st.effect() == Some(Effect::Allow) {
        out.push(warn(
            format!(
                "`{}` has a single value; `ForAllValues:` is also true when the request has no \
                 such key, so this allows more than it says",
                entry.name
            ),
            &format!("use `{base}` without the `ForAllValues:` prefix"),
        ));
    }
}

fn example_operator(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "StringEquals",
        Kind::Numeric => "NumericLessThan",
        Kind::Date => "DateGreaterThan",
        Kind::Bool => "Bool",
        Kind::Binary => "BinaryEquals",
        Kind::Ip => "IpAddress",
        Kind::Arn => "ArnLike",
        Kind::Null => "Null",
    }
}

fn value_help(kind: Kind, base: &str) -> String {
    match kind {
        Kind::Numeric => format!("write a number, e.g. `\"10\"`; to compare text, use `StringEquals` instead of `{base}`"),
        Kind::Date => "write a date such as `\"2026-01-31T00:00:00Z\"`".to_string(),
        Kind::Bool => "write `\"true\"` or `\"false\"`".to_string(),
        Kind::Null => "write `\"true\"` to require that the key is absent, `\"false\"` that it is present".to_string(),
        Kind::Binary => "write the bytes base64-encoded".to_string(),
        Kind::Ip => "write an address or CIDR block such as `203.0.113.0/24` or `2001:db8::/32`".to_string(),
        Kind::Arn => format!("write an ARN (wildcards allowed); to compare account IDs or names, use `StringEquals` instead of `{base}`"),
        Kind::String => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_kinds() {
        assert!(is_number("10") && is_number("-2.5") && !is_number("ten") && !is_number("1."));
        assert!(is_date("2026-01-31") && is_date("2026-01-31T12:00:00Z"));
        assert!(is_date("2026-01-31T12:00:00.123+02:00") && is_date("2026-01-31T12:00Z"));
        assert!(!is_date("2026-13-01") && !is_date("31/01/2026") && !is_date("2026-01-31T1200"));
        assert!(is_ip_or_cidr("203.0.113.0/24") && is_ip_or_cidr("2001:db8::/32"));
        assert!(is_ip_or_cidr("203.0.113.7") && !is_ip_or_cidr("203.0.113.0/33"));
        assert!(!is_ip_or_cidr("10.0.0.0/") && !is_ip_or_cidr("vpc-123"));
        assert!(is_base64("aGVsbG8=") && !is_base64("hello!") && !is_base64("abc"));
        assert_eq!(
            value_problem(Kind::Arn, "arn:aws:sns:*:111122223333:*"),
            None
        );
        assert!(value_problem(Kind::Arn, "111122223333").is_some());
        assert!(value_problem(Kind::Null, "yes").is_some());
    }

    #[test]
    fn operators_and_key_types() {
        assert_eq!(
            parse_operator("ForAnyValue:StringLikeIfExists"),
            Some(("StringLike", Kind::String, Some("ForAnyValue")))
        );
        assert_eq!(parse_operator("NullIfExists"), None);
        assert_eq!(parse_operator("StringEqual"), None);
        assert!(!fits(Kind::Numeric, Kind::Ip));
        assert!(fits(Kind::String, Kind::Ip));
        assert!(fits(Kind::Arn, Kind::String));
        assert_eq!(key_kind("ArrayOfARN"), Some(Kind::Arn));
    }
}
