//! Go to definition and find references for the names a template uses: `!Ref` and `${Name}`
//! (a parameter or a resource), `!GetAtt` and `${Resource.Attribute}` (a resource), `DependsOn`
//! entries (a resource), and also conditions (`Condition:`, `!If`, `!Condition`) and mappings
//! (`!FindInMap`), which the template's one list of references holds as well.

use super::view::Parsed;
use crate::source::{SourceFile, Span};
use crate::template::{RefKind, Reference, Template};

/// What a name names: parameters and resources share one namespace in a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Namespace {
    Entity,
    Condition,
    Mapping,
}

fn namespace(kind: RefKind) -> Namespace {
    match kind {
        RefKind::Ref
        | RefKind::GetAtt
        | RefKind::SubName
        | RefKind::SubAttribute
        | RefKind::DependsOn => Namespace::Entity,
        RefKind::Condition => Namespace::Condition,
        RefKind::FindInMap => Namespace::Mapping,
    }
}

/// A name at the cursor: used, or defined.
struct Target<'a> {
    name: &'a str,
    namespace: Namespace,
}

/// The definition of the name at `offset`: the key that defines it. `None` for pseudo
/// parameters, names the template does not define, and places that are no name.
pub fn definition(source: &SourceFile, parsed: &Parsed, offset: usize) -> Option<Span> {
    let template = parsed.template()?;
    let target = target_at(source, parsed, &template, offset)?;
    defined_at(&template, &target).map(|span| parsed.to_original(span))
}

/// Every use of the name at `offset` (at a use or at its definition), in source order, and
/// its definition first when `with_definition`.
pub fn references(
    source: &SourceFile,
    parsed: &Parsed,
    offset: usize,
    with_definition: bool,
) -> Vec<Span> {
    let Some(template) = parsed.template() else {
        return Vec::new();
    };
    let Some(target) = target_at(source, parsed, &template, offset) else {
        return Vec::new();
    };
    let text = parsed.text(source);
    let mut out = Vec::new();
    if with_definition {
        out.extend(defined_at(&template, &target).map(|s| parsed.to_original(s)));
    }
    for r in template.references() {
        if r.name == target.name && namespace(r.kind) == target.namespace {
            out.push(parsed.to_original(name_span(r, text)));
        }
    }
    out
}

/// The bytes of a reference that are the name itself: in `${Bucket.Arn}` just `Bucket`.
fn name_span(r: &Reference<'_>, text: &str) -> Span {
    let span = r.span(text);
    let written = &text[span.start..span.end.min(text.len())];
    match written.find(r.name) {
        Some(at) => Span::new(span.start + at, span.start + at + r.name.len()),
        None => span,
    }
}

fn target_at<'a>(
    source: &SourceFile,
    parsed: &Parsed,
    template: &Template<'a>,
    offset: usize,
) -> Option<Target<'a>> {
    let text = parsed.text(source);
    if let Some(r) = template
        .references()
        .iter()
        .find(|r| parsed.covers(r.span(text), offset))
    {
        return Some(Target {
            name: r.name,
            namespace: namespace(r.kind),
        });
    }
    let entity = template
        .parameters
        .iter()
        .map(|p| (p.name, p.key))
        .chain(template.resources.iter().map(|r| (r.logical_id, r.key)));
    let defined = entity
        .map(|(name, key)| (name, key, Namespace::Entity))
        .chain(
            template
                .conditions
                .iter()
                .map(|c| (c.name, c.key, Namespace::Condition)),
        )
        .chain(
            template
                .mappings
                .iter()
                .map(|m| (m.name, m.key, Namespace::Mapping)),
        );
    for (name, key, namespace) in defined {
        if parsed.covers(key.span, offset) {
            return Some(Target { name, namespace });
        }
    }
    None
}

fn defined_at(template: &Template<'_>, target: &Target<'_>) -> Option<Span> {
    match target.namespace {
        Namespace::Entity => template
            .parameter(target.name)
            .map(|p| p.key.span)
            .or_else(|| template.resource(target.name).map(|r| r.key.span)),
        Namespace::Condition => template.condition(target.name).map(|c| c.key.span),
        Namespace::Mapping => template.mapping(target.name).map(|m| m.key.span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "\
Parameters:
  Stage: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Condition: IsProd
  Queue:
    Type: AWS::SQS::Queue
    DependsOn: [Bucket]
    Properties:
      QueueName: !Sub '${Stage}-${Bucket.Arn}-${AWS::Region}'
  Policy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition: {ArnEquals: {aws:SourceArn: !GetAtt Bucket.Arn}}
";

    fn setup() -> (SourceFile, Parsed) {
        let source = SourceFile::new("t.yaml", TEMPLATE);
        let parsed = Parsed::of(&source).unwrap();
        (source, parsed)
    }

    /// The offset of the `n`th (0-based) occurrence of `needle`, plus `plus`.
    fn nth(needle: &str, n: usize, plus: usize) -> usize {
        TEMPLATE.match_indices(needle).nth(n).unwrap().0 + plus
    }

    fn lines(spans: &[Span]) -> Vec<(usize, &'static str)> {
        spans
            .iter()
            .map(|s| {
                let line = TEMPLATE[..s.start].matches('\n').count() + 1;
                (line, &TEMPLATE[s.start..s.end])
            })
            .collect()
    }

    #[test]
    fn uses_lead_to_their_definition() {
        let (source, parsed) = setup();
        let def = |offset| definition(&source, &parsed, offset).map(|s| lines(&[s]));
        let bucket_key = Some(vec![(6, "Bucket")]);
        // `${Bucket.Arn}` in a Sub string, `DependsOn`, `!GetAtt` in a condition.
        assert_eq!(def(nth("${Bucket.Arn}", 0, 3)), bucket_key);
        assert_eq!(def(nth("[Bucket]", 0, 2)), bucket_key);
        assert_eq!(def(nth("!GetAtt Bucket.Arn", 0, 9)), bucket_key);
        assert_eq!(def(nth("!Ref Queue", 0, 6)), Some(vec![(9, "Queue")]));
        assert_eq!(def(nth("${Stage}", 0, 3)), Some(vec![(2, "Stage")]));
        assert_eq!(def(nth("IsProd", 1, 1)), Some(vec![(4, "IsProd")]));
        // Pseudo parameters and plain text have none.
        assert_eq!(def(nth("AWS::Region", 0, 2)), None);
        assert_eq!(def(nth("sqs:SendMessage", 0, 2)), None);
    }

    #[test]
    fn references_are_found_from_a_use_or_the_definition() {
        let (source, parsed) = setup();
        let at_definition = nth("Bucket:", 0, 1);
        let found = lines(&references(&source, &parsed, at_definition, true));
        assert_eq!(
            found,
            [
                (6, "Bucket"),
                (11, "Bucket"),
                (13, "Bucket"),
                (24, "Bucket")
            ]
        );
        let from_use = references(&source, &parsed, nth("[Bucket]", 0, 3), false);
        assert_eq!(
            lines(&from_use),
            [(11, "Bucket"), (13, "Bucket"), (24, "Bucket")]
        );
        let stage = lines(&references(&source, &parsed, nth("Stage:", 0, 0), false));
        assert_eq!(stage, [(4, "Stage"), (13, "Stage")]);
    }

    #[test]
    fn tab_indented_templates_navigate_through_the_repair() {
        let text = "Resources:\n\tA:\n\t\tType: AWS::SQS::Queue\n\tB:\n\t\tType: AWS::SQS::Queue\n\t\tDependsOn: A\n";
        let source = SourceFile::new("t.yaml", text);
        let parsed = Parsed::of(&source).unwrap();
        let at = text.rfind(": A").unwrap() + 2;
        let span = definition(&source, &parsed, at).unwrap();
        assert_eq!(
            span,
            Span::new(text.find("A:").unwrap(), text.find("A:").unwrap() + 1)
        );
    }
}
