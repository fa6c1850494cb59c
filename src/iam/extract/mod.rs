//! Finding every policy document of a file and reading it into the [`super::model`].
//!
//! Two passes: [`locate()`] lists where documents are (resource, property path, kind, the
//! identities they apply to); [`extract()`] reads each of them. Documents written as strings
//! (`PolicyDocument: '{"Statement": …}'`, or built with `Fn::Sub`/`Fn::Join`) are parsed with
//! the YAML reader (JSON is YAML) into an [`EmbeddedDocuments`] store the caller owns, so the
//! resulting model can borrow their nodes just like the template's own.
//!
//! Each concept has its own file: `locate` (which property of which resource type holds a
//! document), `embedded` (documents written as strings) and `read` (a document's nodes into the
//! model). This module only ties them together and tells a policy file from a template.

mod embedded;
mod locate;
mod permissions;
mod read;

pub use embedded::{
    is_string_host, json_problem, EmbeddedDocument, EmbeddedDocuments, JsonProblem,
};
pub use locate::{locate, Location};
pub use permissions::{permissions, Permission, PermissionKind};
pub use read::standalone;

use super::model::{DocumentOrigin, Policy};
use crate::template::{alternatives, intrinsic, is_no_value, Template};
use crate::yaml::{Document, Node};
use read::read_policy;

/// Whether a file's root is an IAM policy document rather than a template: a mapping with
/// `Statement` (or a `Version` that is a policy version) and none of a template's sections.
pub fn is_policy_document(root: &Node) -> bool {
    let Some(entries) = root.as_mapping() else {
        return false;
    };
    let has = |k: &str| entries.iter().any(|e| e.key.as_str() == Some(k));
    if has("Resources") || has("AWSTemplateFormatVersion") || has("Parameters") {
        return false;
    }
    let policy_version = root
        .get("Version")
        .and_then(Node::as_str)
        .is_some_and(|v| v.starts_with("20") && v.len() == 10);
    has("Statement") || policy_version
}

/// Every policy of a file: the template's documents, or the file itself when it is a policy
/// document. `store` receives documents parsed out of strings; without it they are skipped.
pub fn extract<'a>(
    document: Option<&'a Document>,
    template: Option<&Template<'a>>,
    source: &'a str,
    store: Option<&'a EmbeddedDocuments>,
) -> Vec<Policy<'a>> {
    if let Some(root) = document.and_then(|d| d.root.as_ref()) {
        if is_policy_document(root) {
            return vec![standalone(root, source)];
        }
    }
    let Some(template) = template else {
        return Vec::new();
    };
    let locations = locate(template);
    let hosts: Vec<&'a Node> = locations
        .iter()
        .flat_map(|l| alternatives(l.host))
        .filter(|h| is_string_host(h))
        .collect();
    let embedded: &'a [EmbeddedDocument] = match store {
        Some(store) if !hosts.is_empty() => store.get_or_parse(&hosts, source),
        _ => &[],
    };
    let mut out = Vec::new();
    for loc in &locations {
        let alts = alternatives(loc.host);
        let conditional = alts.len() > 1;
        for alt in alts {
            if is_no_value(alt) {
                continue;
            }
            let (node, origin) = if is_string_host(alt) {
                match embedded.iter().find(|e| e.host == alt.span) {
                    Some(e) => match &e.document.root {
                        Some(root) => (root, DocumentOrigin::JsonString { exact: e.exact }),
                        None => continue,
                    },
                    None => continue,
                }
            } else if alt.as_mapping().is_some() && intrinsic(alt).is_none() {
                (alt, DocumentOrigin::Inline)
            } else {
                continue;
            };
            out.push(read_policy(loc, alt, node, origin, conditional, source));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::model::{AttachTarget, Attachment, Effect, IdentityKind, PolicyKind};
    use crate::source::Span;
    use crate::yaml::{self, ParseOptions};

    /// Shared with the tests of the parts, which go through [`extract()`] as callers do.
    pub(super) fn with_policies(text: &str, f: impl FnOnce(&[Policy<'_>])) {
        let doc = yaml::parse(text, &ParseOptions::default()).expect("parses");
        let template = Template::from_document(&doc);
        let store = EmbeddedDocuments::default();
        let policies = extract(Some(&doc), Some(&template), text, Some(&store));
        f(&policies);
    }

    pub(super) fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn finds_identity_trust_and_resource_policies_with_owners() {
        let text = "\
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, 'ssm:GetParamter']
                Resource: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      Roles: [!Ref AppRole, external-role]
      PolicyDocument:
        Statement:
          Effect: Deny
          Action: '*'
          Resource: '*'
  Bucket:
    Type: AWS::S3::Bucket
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: s3:GetObject
            Resource: !Sub '${Bucket.Arn}/*'
            Condition:
              StringEquals: {aws:SourceAccount: !Ref AWS::AccountId}
";
        with_policies(text, |ps| {
            let kinds: Vec<_> = ps.iter().map(|p| (p.kind, p.path.as_str())).collect();
            assert_eq!(
                kinds,
                [
                    (PolicyKind::Trust, "Properties.AssumeRolePolicyDocument"),
                    (
                        PolicyKind::Identity,
                        "Properties.Policies[0].PolicyDocument"
                    ),
                    (PolicyKind::Identity, "Properties.PolicyDocument"),
                    (PolicyKind::Resource, "Properties.PolicyDocument"),
                ]
            );
            let inline = &ps[1];
            assert_eq!(inline.version_text(), Some("2012-10-17"));
            assert_eq!(
                inline.attached_to,
                [Attachment {
                    kind: IdentityKind::Role,
                    target: AttachTarget::Resource("AppRole")
                }]
            );
            let st = &inline.statements[0];
            assert_eq!(st.effect(), Some(Effect::Allow));
            let typo = &st.actions()[1];
            assert_eq!(at(text, typo.span), "ssm:GetParamter");
            assert_eq!(typo.valid().map(|p| p.name()), Some("GetParamter"));
            let arn = &st.resources()[0].value;
            assert_eq!(arn.to_string(), "arn:${AWS::Partition}:s3:::${Bucket}/*");
            // A single statement mapping and attachments by Ref and by name.
            let extra = &ps[2];
            assert_eq!(extra.statements.len(), 1);
            assert_eq!(extra.statements[0].effect(), Some(Effect::Deny));
            assert_eq!(extra.attached_to.len(), 2);
            assert!(matches!(
                extra.attached_to[1].target,
                AttachTarget::Written(_)
            ));
            let public = &ps[3].statements[0];
            let principal = public.principal.as_ref().unwrap();
            assert_eq!(principal.public_items().len(), 1);
            assert!(public
                .condition
                .as_ref()
                .unwrap()
                .has_key("AWS:SourceAccount"));
        });
    }

    #[test]
    fn conditional_statements_and_sam_policies() {
        let text = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - AWSLambdaBasicExecutionRole
        - S3ReadPolicy: {BucketName: !Ref B}
        - Statement:
            - !If
              - IsProd
              - Effect: Allow
                Action: [s3:GetObject, !If [Extra, s3:PutObject, !Ref AWS::NoValue]]
                Resource: '*'
              - !Ref AWS::NoValue
            - Effect: Allow
              Action: logs:PutLogEvents
              Resource: '*'
";
        with_policies(text, |ps| {
            assert_eq!(ps.len(), 1);
            let p = &ps[0];
            assert_eq!(p.path, "Properties.Policies[2]");
            assert_eq!(p.attached_to[0].target, AttachTarget::SamGenerated("Fn"));
            assert_eq!(p.statements.len(), 2);
            assert!(p.statements[0].conditional);
            assert_eq!(p.statements[1].index, 1);
            let actions: Vec<_> = p.statements[0].actions().iter().map(|a| a.text).collect();
            assert_eq!(actions, [Some("s3:GetObject"), Some("s3:PutObject")]);
            assert!(p.statements[0].actions()[1].conditional);
        });
    }

    #[test]
    fn standalone_documents_are_one_policy() {
        let text = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}";
        let doc = yaml::parse(text, &ParseOptions::default()).unwrap();
        assert!(is_policy_document(doc.root.as_ref().unwrap()));
        let ps = extract(Some(&doc), None, text, None);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].kind, PolicyKind::Trust);
        assert_eq!(ps[0].origin, DocumentOrigin::Standalone);
        let template =
            yaml::parse("Resources: {}\nStatement: x\n", &ParseOptions::default()).unwrap();
        assert!(!is_policy_document(template.root.as_ref().unwrap()));
    }
}
