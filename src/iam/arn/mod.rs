//! ARNs as written in a policy's `Resource`: literal text, IAM wildcards and symbolic pieces from
//! `!Sub`/`!Join`/`!Ref`/`!GetAtt`, split into partition, service, region, account and resource.
//!
//! A [`StringTemplate`] is first flattened into [`Tok`]ens (one per literal character, one per
//! symbolic piece). The field split is a nom parser over an encoding of those tokens in which each
//! symbolic piece is a single private-use character, so a symbol can never be mistaken for a `:`.
//!
//! A symbol that starts the resource (`!GetAtt Bucket.Arn`, `${BucketArn}/*`, `!Ref TopicArn`)
//! stands for a whole ARN and may contain colons. When it is the ARN of a resource of a known
//! type in the template, the catalogue's ARN format of that type takes its place (with the
//! format's variables as symbols), so `${MyBucket.Arn}/*` reads as an S3 object ARN. Otherwise
//! the resource is [`ResourceArn::Unknown`] and matches anything.

use nom::bytes::complete::{tag_no_case, take_till};
use nom::character::complete::char;
use nom::{IResult, Parser};

use super::catalog::Catalog;
use crate::source::Span;
use crate::template::{StringPart, StringTemplate, Template};

/// One element of an ARN or an ARN format, for matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A literal character (IAM compares ARNs case-sensitively, but this linter is lenient).
    Char(char),
    /// Any text (`many`) or exactly one character, restricted to what may appear in it.
    Any {
        many: bool,
        colon: bool,
        slash: bool,
    },
}

impl Tok {
    /// `*` in a policy ARN.
    pub const STAR: Tok = Tok::Any {
        many: true,
        colon: true,
        slash: true,
    };
    /// `?` in a policy ARN.
    pub const QUESTION: Tok = Tok::Any {
        many: false,
        colon: true,
        slash: true,
    };
    /// A value that stays within one path segment of one field (`${AWS::Region}`, `${Bucket}`).
    pub const SEGMENT: Tok = Tok::Any {
        many: true,
        colon: false,
        slash: false,
    };
    /// A value within one field that may contain `/` (`${KeyPrefix}`).
    pub const PATH: Tok = Tok::Any {
        many: true,
        colon: false,
        slash: true,
    };

    fn allows(self, c: char) -> bool {
        match self {
            Tok::Char(x) => x.eq_ignore_ascii_case(&c),
            Tok::Any { colon, slash, .. } => (colon || c != ':') && (slash || c != '/'),
        }
    }
}

/// A field of an ARN: its tokens and where they were written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Field {
    pub toks: Vec<Tok>,
    pub span: Span,
}

impl Field {
    /// The text when the field is wholly literal and free of wildcards.
    pub fn literal(&self) -> Option<String> {
        let mut text = String::new();
        self.literal_in(&mut text)?;
        Some(text)
    }

    /// [`Field::literal`] written into `buf` (reused between calls) instead of a new string.
    pub fn literal_in<'b>(&self, buf: &'b mut String) -> Option<&'b str> {
        buf.clear();
        for t in &self.toks {
            match t {
                Tok::Char(c) => buf.push(*c),
                Tok::Any { .. } => return None,
            }
        }
        Some(buf.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }
}

/// A resource ARN split into its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Arn {
    pub partition: Field,
    pub service: Field,
    pub region: Field,
    pub account: Field,
    pub resource: Field,
    /// All tokens, `arn:` included, for matching against formats.
    pub toks: Vec<Tok>,
    /// The resource's own pieces were replaced by the ARN format of a referenced resource.
    pub from_reference: bool,
}

/// What a `Resource` item stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum ResourceArn {
    /// Exactly `*`.
    Star,
    /// An ARN with its fields.
    Arn(Arn),
    /// Cannot be known from the template (a parameter holding an ARN, `!If`, `!ImportValue`, the
    /// ARN of a resource type this linter does not know): matches anything.
    Unknown,
    /// Text that is no ARN at all (literal, so certainly wrong).
    Malformed(ArnProblem),
}

impl ResourceArn {
    pub fn arn(&self) -> Option<&Arn> {
        match self {
            ResourceArn::Arn(a) => Some(a),
            _ => None,
        }
    }

    /// Known precisely enough to tell which resource types it can be.
    pub fn is_known(&self) -> bool {
        matches!(self, ResourceArn::Star | ResourceArn::Arn(_))
    }
}

/// Why an ARN is invalid: what to say and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnProblem {
    pub span: Span,
    pub message: String,
    pub help: String,
}

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

/// A token with the source span it came from.
type Spanned = (Tok, Span);

/// Read a `Resource` item.
pub fn parse_resource(t: &StringTemplate<'_>, template: Option<&Template<'_>>) -> ResourceArn {
    if t.parts.is_empty() {
        return ResourceArn::Malformed(ArnProblem {
            span: Span::default(),
            message: "empty resource".into(),
            help: "write an ARN such as `arn:aws:s3:::my-bucket`, or `*`".into(),
        });
    }
    if let Some(text) = t.literal() {
        if text == "*" {
            return ResourceArn::Star;
        }
    }
    let mut toks: Vec<Spanned> = Vec::new();
    let mut hides_colon: Vec<bool> = Vec::new();
    let mut from_reference = false;
    for (index, part) in t.parts.iter().enumerate() {
        match part {
            StringPart::Literal { text, span } => push_text(&mut toks, text, *span),
            StringPart::Ref { name, span } => {
                if index == 0 {
                    match reference_format(template, name, None) {
                        Some(format) => {
                            from_reference = true;
                            push_format(&mut toks, format, *span);
                        }
                        None => return ResourceArn::Unknown,
                    }
                } else {
                    toks.push((symbol_tok(name), *span));
                }
            }
            StringPart::GetAtt {
                resource,
                attribute,
                span,
            } => {
                if index == 0 {
                    match reference_format(template, resource, Some(attribute.unwrap_or(""))) {
                        Some(format) => {
                            from_reference = true;
                            push_format(&mut toks, format, *span);
                        }
                        None => return ResourceArn::Unknown,
                    }
                } else {
                    toks.push((symbol_tok(attribute.unwrap_or("")), *span));
                }
            }
            // An unknown piece at the start is a whole ARN; elsewhere it may hold anything,
            // colons included.
            StringPart::Unknown { span, .. } => {
                if index == 0 {
                    return ResourceArn::Unknown;
                }
                hides_colon.resize(toks.len(), false);
                toks.push((Tok::STAR, *span));
                hides_colon.push(true);
            }
        }
    }
    hides_colon.resize(toks.len(), false);
    split_fields(&toks, &hides_colon, from_reference)
}

/// Read a plain string resource (a standalone policy file, a test).
pub fn parse_literal(text: &str, span: Span) -> ResourceArn {
    let t = StringTemplate {
        parts: vec![StringPart::Literal {
            text: text.to_string(),
            span,
        }],
    };
    parse_resource(&t, None)
}

fn push_text(toks: &mut Vec<Spanned>, text: &str, span: Span) {
    // Byte-exact spans only when the source spells the text as is (no escapes).
    let exact = span.len() == text.len();
    for (offset, c) in text.char_indices() {
        let s = if exact {
            span.sub(offset, offset + c.len_utf8())
        } else {
            span
        };
        let tok = match c {
            '*' => Tok::STAR,
            '?' => Tok::QUESTION,
            c => Tok::Char(c),
        };
        toks.push((tok, s));
    }
}

/// The token for a `${Name}` inside an ARN. Names that say they hold a path or prefix may
/// contain `/`; any other value is taken to be one path segment, which is what lets
/// `arn:aws:s3:::${Bucket}/*` be an object ARN and never a bucket ARN.
fn symbol_tok(name: &str) -> Tok {
    let lower = name.to_ascii_lowercase();
    if [
        "path", "prefix", "key", "folder", "dir", "object", "resource",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        Tok::PATH
    } else {
        Tok::SEGMENT
    }
}

/// Format variables whose values never contain `/`.
const SINGLE_SEGMENT_VARIABLES: &[&str] = &[
    "Partition",
    "Region",
    "Account",
    "BucketName",
    "TableName",
    "FunctionName",
    "QueueName",
    "TopicName",
    "StreamName",
    "KeyId",
];

/// Tokens of a catalogue ARN format such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
/// The last variable may also hold colons (`log-group:${LogGroupName}` covers
/// `log-group:name:*`).
pub fn format_tokens(format: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(format.len());
    let mut rest = format;
    let mut vars = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(close) = after.find('}') {
                let name = &after[..close];
                let slash = !SINGLE_SEGMENT_VARIABLES.contains(&name);
                // A variable stands for at least one character: an access point ARN always
                // has a region, so `arn:aws:s3:::x` is no access point. The account is the
                // exception: resources AWS owns have none
                // (`arn:aws:ssm:us-east-1::document/AWS-RunShellScript`).
                if name != "Account" {
                    out.push(Tok::Any {
                        many: false,
                        colon: false,
                        slash,
                    });
                }
                vars.push(out.len());
                out.push(Tok::Any {
                    many: true,
                    colon: false,
                    slash,
                });
                rest = &after[close + 1..];
                continue;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(match c {
                '*' => Tok::STAR,
                c => Tok::Char(c),
            });
        }
        rest = chars.as_str();
    }
    if let Some(&last) = vars.last() {
        // Only when nothing but the variable ends the format.
        if last + 1 == out.len() {
            for tok in out.iter_mut().skip(last.saturating_sub(1)).take(2) {
                if let Tok::Any { colon, .. } = tok {
                    *colon = true;
                }
            }
        }
    }
    out
}

fn push_format(toks: &mut Vec<Spanned>, format: &[Tok], span: Span) {
    toks.extend(format.iter().map(|t| (*t, span)));
}

/// Resource types whose `Ref` or ARN attribute is an ARN: (CloudFormation type, attribute or
/// `Ref`, IAM service prefix, catalogue resource type).
const REFERENCE_ARNS: &[(&str, &str, &str, &str)] = &[
    ("AWS::S3::Bucket", "Arn", "s3", "bucket"),
    ("AWS::SQS::Queue", "Arn", "sqs", "queue"),
    ("AWS::SNS::Topic", "Ref", "sns", "topic"),
    ("AWS::SNS::Topic", "TopicArn", "sns", "topic"),
    ("AWS::IAM::Role", "Arn", "iam", "role"),
    ("AWS::IAM::User", "Arn", "iam", "user"),
    ("AWS::IAM::Group", "Arn", "iam", "group"),
    ("AWS::IAM::ManagedPolicy", "Ref", "iam", "policy"),
    ("AWS::IAM::ManagedPolicy", "PolicyArn", "iam", "policy"),
    (
        "AWS::IAM::InstanceProfile",
        "Arn",
        "iam",
        "instance-profile",
    ),
    ("AWS::Lambda::Function", "Arn", "lambda", "function"),
    ("AWS::Serverless::Function", "Arn", "lambda", "function"),
    ("AWS::DynamoDB::Table", "Arn", "dynamodb", "table"),
    ("AWS::DynamoDB::Table", "StreamArn", "dynamodb", "stream"),
    ("AWS::KMS::Key", "Arn", "kms", "key"),
    ("AWS::Kinesis::Stream", "Arn", "kinesis", "stream"),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        "Arn",
        "firehose",
        "deliverystream",
    ),
    (
        "AWS::StepFunctions::StateMachine",
        "Ref",
        "states",
        "statemachine",
    ),
    (
        "AWS::StepFunctions::StateMachine",
        "Arn",
        "states",
        "statemachine",
    ),
    (
        "AWS::Serverless::StateMachine",
        "Ref",
        "states",
        "statemachine",
    ),
    (
        "AWS::Serverless::StateMachine",
        "Arn",
        "states",
        "statemachine",
    ),
    (
        "AWS::SecretsManager::Secret",
        "Ref",
        "secretsmanager",
        "Secret",
    ),
    ("AWS::ECR::Repository", "Arn", "ecr", "repository"),
    ("AWS::Logs::LogGroup", "Arn", "logs", "log-group"),
    ("AWS::Events::EventBus", "Arn", "events", "event-bus"),
    (
        "AWS::CodeCommit::Repository",
        "Arn",
        "codecommit",
        "repository",
    ),
    (
        "AWS::EFS::FileSystem",
        "Arn",
        "elasticfilesystem",
        "file-system",
    ),
];

/// The catalogue ARN format, compiled, of `!Ref name` (`attribute` None) or
/// `!GetAtt name.attribute`, when `name` is a resource of a type whose ARN this linter knows.
fn reference_format(
    template: Option<&Template<'_>>,
    name: &str,
    attribute: Option<&str>,
) -> Option<&'static [Tok]> {
    let resource = template?.resource(name)?;
    let type_ = resource.type_?;
    let attribute = attribute.unwrap_or("Ref");
    let (_, _, service, rt) = REFERENCE_ARNS
        .iter()
        .find(|(t, a, _, _)| *t == type_ && *a == attribute)?;
    let rt = Catalog::active().service(service)?.resource_type(rt)?;
    match rt.format_tokens() {
        [format] => Some(format),
        _ => None,
    }
}

/// Private-use characters standing for symbolic tokens in the encoding nom parses.
const SYMBOL_CHAR: char = '\u{E000}';
/// A symbol that may contain colons: it could hide field separators.
const SYMBOL_WITH_COLON_CHAR: char = '\u{E001}';

fn encode(toks: &[Spanned], hides_colon: &[bool]) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(toks.len());
    let mut token_at = Vec::with_capacity(toks.len() + 1);
    for (index, (tok, _)) in toks.iter().enumerate() {
        let c = match tok {
            Tok::Char(c) => *c,
            // IAM matches each field on its own: a written `*` never spans a `:`.
            Tok::Any { .. } if hides_colon[index] => SYMBOL_WITH_COLON_CHAR,
            Tok::Any { .. } => SYMBOL_CHAR,
        };
        for _ in 0..c.len_utf8() {
            token_at.push(index);
        }
        text.push(c);
    }
    token_at.push(toks.len());
    (text, token_at)
}

fn field_text(input: &str) -> IResult<&str, &str> {
    take_till(|c| c == ':' || c == SYMBOL_WITH_COLON_CHAR).parse(input)
}

/// `arn:partition:service:region:account:` with the resource as the rest.
fn arn_head(input: &str) -> IResult<&str, [&str; 4]> {
    let (rest, (_, _, p, _, s, _, r, _, a, _)) = (
        tag_no_case("arn"),
        char(':'),
        field_text,
        char(':'),
        field_text,
        char(':'),
        field_text,
        char(':'),
        field_text,
        char(':'),
    )
        .parse(input)?;
    Ok((rest, [p, s, r, a]))
}

fn split_fields(toks: &[Spanned], hides_colon: &[bool], from_reference: bool) -> ResourceArn {
    let whole = toks
        .iter()
        .map(|(_, s)| *s)
        .reduce(|a, b| a.cover(b))
        .unwrap_or_default();
    let (encoded, token_at) = encode(toks, hides_colon);
    let field = |text: &str| -> Field {
        let start = text.as_ptr() as usize - encoded.as_ptr() as usize;
        let (from, to) = (token_at[start], token_at[start + text.len()]);
        let slice = &toks[from..to];
        let span = match (slice.first(), slice.last()) {
            (Some(a), Some(b)) => a.1.cover(b.1),
            _ => toks
                .get(from)
                .map(|t| Span::new(t.1.start, t.1.start))
                .unwrap_or(whole),
        };
        Field {
            toks: slice.iter().map(|(t, _)| *t).collect(),
            span,
        }
    };
    match arn_head(&encoded) {
        Ok((resource, [p, s, r, a])) => ResourceArn::Arn(Arn {
            partition: field(p),
            service: field(s),
            region: field(r),
            account: field(a),
            resource: field(resource),
            toks: field_local(toks, hides_colon, encoded.len() - resource.len(), &token_at),
            from_reference,
        }),
        Err(_) => {
            // A symbol may hide the missing colons.
            if hides_colon.iter().any(|h| *h) {
                return ResourceArn::Unknown;
            }
            if let Some(padded) = pad_trailing_star(toks) {
                let hides = vec![false; padded.len()];
                return split_fields(&padded, &hides, from_reference);
            }
            ResourceArn::Malformed(malformed(toks, whole))
        }
    }
}

/// IAM lets a `*` that ends an ARN match past `:` boundaries, so `arn:aws:logs:*` matches every
/// logs ARN, exactly as `arn:aws:logs:*:*:*` does. An ARN cut short after its service field
/// that ends with a written `*` is read as that: the missing fields are added as `*` (at the
/// end, zero-width, so spans still point at what was written). Anything else with too few
/// fields matches nothing and stays malformed.
fn pad_trailing_star(toks: &[Spanned]) -> Option<Vec<Spanned>> {
    let (last, last_span) = toks.last()?;
    if *last != Tok::STAR {
        return None;
    }
    let text: String = toks
        .iter()
        .map(|(t, _)| match t {
            Tok::Char(c) => *c,
            Tok::Any { .. } => '*',
        })
        .collect();
    let fields: Vec<&str> = text.split(':').collect();
    let head_ok = fields.len() >= 4
        && fields.len() < 6
        && fields[0].eq_ignore_ascii_case("arn")
        && !fields[1].is_empty()
        && !fields[2].is_empty()
        && fields[2].chars().all(is_service_char);
    if !head_ok {
        return None;
    }
    let end = Span::new(last_span.end, last_span.end);
    let mut padded = toks.to_vec();
    for _ in fields.len()..6 {
        padded.push((Tok::Char(':'), end));
        padded.push((Tok::STAR, end));
    }
    Some(padded)
}

/// The tokens, with wildcards written before the resource field unable to span a `:`.
fn field_local(
    toks: &[Spanned],
    hides_colon: &[bool],
    resource_start: usize,
    token_at: &[usize],
) -> Vec<Tok> {
    let first_resource_token = token_at.get(resource_start).copied().unwrap_or(toks.len());
    toks.iter()
        .enumerate()
        .map(|(i, (t, _))| match *t {
            Tok::Any { many, slash, .. } if i < first_resource_token && !hides_colon[i] => {
                Tok::Any {
                    many,
                    colon: false,
                    slash,
                }
            }
            t => t,
        })
        .collect()
}

fn malformed(toks: &[Spanned], whole: Span) -> ArnProblem {
    let text: String = toks
        .iter()
        .map(|(t, _)| match t {
            Tok::Char(c) => *c,
            Tok::Any { many: false, .. } => '?',
            Tok::Any { .. } => '*',
        })
        .collect();
    let lower = text.to_ascii_lowercase();
    if !lower.starts_with("arn:") {
        let (message, help) = match text.split_once(':') {
            Some((service, _)) if !service.is_empty() && service.chars().all(is_service_char) => (
                format!("`{text}` is not an ARN: it lacks the `arn:<partition>:` prefix"),
                format!("write `arn:aws:{text}`"),
            ),
            _ => (
                format!("`{text}` is not an ARN"),
                "a resource is `*` or an ARN `arn:<partition>:<service>:<region>:<account>:<resource>`, e.g. `arn:aws:s3:::my-bucket`".to_string(),
            ),
        };
        return ArnProblem {
            span: whole,
            message,
            help,
        };
    }
    let fields = text.split(':').count();
    ArnProblem {
        span: whole,
        message: format!("ARN `{text}` has {fields} of the 6 `:`-separated fields"),
        help: "an ARN is `arn:<partition>:<service>:<region>:<account>:<resource>`; leave a field empty but keep its colon, e.g. `arn:aws:s3:::my-bucket`".into(),
    }
}

fn is_service_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

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
    if formats.is_empty() || formats.iter().any(|(_, f)| intersects(&arn.toks, f)) {
        return None;
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
    None
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
    use super::*;

    fn arn(text: &str) -> ResourceArn {
        parse_literal(text, Span::new(0, text.len()))
    }

    fn fits(resource: &str, format: &str) -> bool {
        match arn(resource) {
            ResourceArn::Arn(a) => intersects(&a.toks, &format_tokens(format)),
            other => panic!("{resource}: {other:?}"),
        }
    }

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
    fn splits_fields_with_spans() {
        let ResourceArn::Arn(a) = arn("arn:aws:logs:us-east-1:123456789012:log-group:x:*") else {
            panic!()
        };
        assert_eq!(a.partition.literal().as_deref(), Some("aws"));
        assert_eq!(a.service.literal().as_deref(), Some("logs"));
        assert_eq!(a.region.span, Span::new(13, 22));
        assert_eq!(a.account.literal().as_deref(), Some("123456789012"));
        assert_eq!(a.resource.span, Span::new(36, 49));
    }

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

    #[test]
    fn malformed_and_unknown() {
        let ResourceArn::Malformed(p) = arn("s3:::bucket") else {
            panic!()
        };
        assert_eq!(p.help, "write `arn:aws:s3:::bucket`");
        assert!(matches!(arn("arn:aws:s3"), ResourceArn::Malformed(_)));
        assert_eq!(arn("*"), ResourceArn::Star);
        assert!(matches!(
            arn("arn:aws:s3:bucket"),
            ResourceArn::Malformed(_)
        ));
        assert!(matches!(arn("arn:aws:*"), ResourceArn::Malformed(_)));
        assert!(matches!(arn("arn:aws:s3:*x"), ResourceArn::Malformed(_)));
    }

    #[test]
    fn a_trailing_star_spans_the_missing_fields() {
        let ResourceArn::Arn(a) = arn("arn:aws:logs:*") else {
            panic!()
        };
        assert_eq!(a.service.literal().as_deref(), Some("logs"));
        assert_eq!(a.region.span, Span::new(13, 14));
        assert!(fits(
            "arn:aws:logs:*",
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"
        ));
        assert!(fits(
            "arn:aws:sns:*:*",
            "arn:${Partition}:sns:${Region}:${Account}:${TopicName}"
        ));
        assert!(!fits(
            "arn:aws:sns:*:*",
            "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"
        ));
    }

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
    }
}
