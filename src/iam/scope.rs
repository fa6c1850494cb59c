//! Which actions a statement's resources can grant: an action applies to some resource types,
//! each with ARN formats; a resource fits the action when it can match one of those formats.
//!
//! Resources that cannot be known from the template (a parameter holding an ARN,
//! `!ImportValue`, a dynamic reference) and malformed ones (reported by `invalid-arn`) fit every
//! action, so that nothing is reported that the template might get right. (An `!If` is no such
//! value: the policy model reads each branch as a resource of its own.) Actions without
//! resource types are documented as accepting only `Resource: "*"`; where a service is known
//! to check another ARN (`rules/iam/authorized-resources.tsv`), they are judged by that.

use std::collections::HashMap;

use super::arn::{intersects, ResourceArn, Tok};
use super::catalog::{ActionRef, ResourceType};
use super::usage::{authorized_resources, Authorized};

/// A statement's resource as the scope check sees it.
#[derive(Clone, Debug)]
pub struct ScopedResource {
    pub arn: ResourceArn,
    /// The resource as written, in `Fn::Sub` syntax (`arn:aws:s3:::${S3Bucket}/*`).
    pub text: String,
    /// Written with intrinsics (so a suggested ARN must be a `!Sub`).
    pub symbolic: bool,
}

/// Why an action fits none of the statement's resources.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Gap {
    /// The action supports no resource types, and no resource of the statement belongs to its
    /// service (or its documentation says that only `"*"` authorises it: `documented` is then
    /// the source): certainly not granted.
    StarOnly { documented: Option<&'static str> },
    /// The reference lists no resource types, and a resource of the statement is an ARN of the
    /// action's own service: some services check such actions against an ARN of theirs that
    /// the reference does not document, so whether it is granted is not certain.
    StarOnlyPerhaps,
    /// The action is authorised against resources of `format` (a curated fact, see
    /// `rules/iam/authorized-resources.tsv`), which no resource of the statement matches.
    Documented {
        format: &'static str,
        source: &'static str,
    },
    /// The action works on a resource that contains one of the statement's resources (a bucket
    /// action on `bucket/*`): `resource_type` is what it needs, `resource` the index of the
    /// resource it was compared with, `format` the format it needs.
    Parent {
        resource_type: &'static str,
        resource: usize,
        format: &'static str,
        child_format: &'static str,
    },
    /// The action works on something inside one of the statement's resources (an object action
    /// on the bare bucket).
    Child {
        resource_type: &'static str,
        resource: usize,
        format: &'static str,
        parent_format: &'static str,
    },
    /// The statement names no resource of the action's service.
    WrongService { service: &'static str },
    /// Same service, unrelated resource type.
    OtherType {
        resource_types: Vec<&'static str>,
        format: Option<&'static str>,
    },
}

/// Caches format tokens and match results across the actions of one statement.
#[derive(Default)]
pub struct Scope {
    resources: Vec<ScopedResource>,
    fits: HashMap<(usize, &'static str), bool>,
}

impl Scope {
    pub fn new(resources: Vec<ScopedResource>) -> Self {
        Scope {
            resources,
            ..Scope::default()
        }
    }

    pub fn resources(&self) -> &[ScopedResource] {
        &self.resources
    }

    /// Whether every resource is `*` or an ARN (no unknowns): only then can a wildcard action's
    /// missing part be told.
    pub fn all_known(&self) -> bool {
        !self.resources.is_empty() && self.resources.iter().all(|r| r.arn.is_known())
    }

    /// Whether resource `resource` can match `rt`'s format number `index`.
    fn format_fits(&mut self, resource: usize, rt: &'static ResourceType, index: usize) -> bool {
        let format = rt.arn_formats[index];
        if let Some(&fits) = self.fits.get(&(resource, format)) {
            return fits;
        }
        let fits = match self.resources.get(resource).map(|r| &r.arn) {
            Some(ResourceArn::Arn(arn)) => intersects(&arn.toks, &rt.format_tokens()[index]),
            _ => true,
        };
        self.fits.insert((resource, format), fits);
        fits
    }

    fn type_fits(&mut self, resource: usize, rt: &'static ResourceType) -> bool {
        // A resource type without a documented format cannot be ruled out.
        rt.arn_formats.is_empty()
            || (0..rt.arn_formats.len()).any(|i| self.format_fits(resource, rt, i))
    }

    /// Whether some resource of the statement can be a resource the action applies to: one of
    /// the types the reference lists, or a form the action is known to be authorised against.
    pub fn fits(&mut self, action: &ActionRef<'static>) -> bool {
        let types: Vec<&'static ResourceType> = action.resource_types().map(|(rt, _)| rt).collect();
        let curated = authorized_resources(action);
        (0..self.resources.len()).any(|i| match &self.resources[i].arn {
            ResourceArn::Star | ResourceArn::Unknown | ResourceArn::Malformed(_) => true,
            ResourceArn::Arn(arn) => {
                let by_form = curated.iter().any(|fact| match fact {
                    Authorized::Form { tokens, .. } => intersects(&arn.toks, tokens),
                    Authorized::StarOnly { .. } => false,
                });
                by_form || types.iter().any(|rt| self.type_fits(i, rt))
            }
        })
    }

    /// Whether some resource of the statement may be an ARN of `prefix`'s service.
    fn names_service(&self, prefix: &str) -> bool {
        let service: Vec<Tok> = prefix.chars().map(Tok::Char).collect();
        self.resources.iter().any(|r| match r.arn.arn() {
            Some(arn) => intersects(&arn.service.toks, &service),
            None => true,
        })
    }

    /// Why an action that does not [`fit`](Scope::fits) does not.
    pub fn gap(&mut self, action: &ActionRef<'static>) -> Gap {
        let types: Vec<&'static ResourceType> = action.resource_types().map(|(rt, _)| rt).collect();
        let service = action.service();
        if types.is_empty() {
            // The first curated fact decides (the file lists one per action).
            match authorized_resources(action).first() {
                Some(Authorized::StarOnly { source }) => {
                    return Gap::StarOnly {
                        documented: Some(source),
                    }
                }
                Some(Authorized::Form { format, source, .. }) => {
                    return Gap::Documented { format, source }
                }
                None => {}
            }
            return if self.names_service(service.prefix) {
                Gap::StarOnlyPerhaps
            } else {
                Gap::StarOnly { documented: None }
            };
        }
        let siblings: &'static [ResourceType] = service.resource_types();
        for i in 0..self.resources.len() {
            for rt in &types {
                for &format in &rt.arn_formats {
                    for other in siblings {
                        for (k, &other_format) in other.arn_formats.iter().enumerate() {
                            if extends(other_format, format) && self.format_fits(i, other, k) {
                                return Gap::Parent {
                                    resource_type: rt.name,
                                    resource: i,
                                    format,
                                    child_format: other_format,
                                };
                            }
                            if extends(format, other_format) && self.format_fits(i, other, k) {
                                return Gap::Child {
                                    resource_type: rt.name,
                                    resource: i,
                                    format,
                                    parent_format: other_format,
                                };
                            }
                        }
                    }
                }
            }
        }
        if !self.names_service(service.prefix) {
            return Gap::WrongService {
                service: service.prefix,
            };
        }
        Gap::OtherType {
            resource_types: types.iter().map(|rt| rt.name).collect(),
            format: types.iter().find_map(|rt| rt.arn_formats.first().copied()),
        }
    }
}

/// Whether `child` is `parent` followed by a deeper path (`…${BucketName}/${ObjectName}` extends
/// `…${BucketName}`).
fn extends(child: &str, parent: &str) -> bool {
    child.len() > parent.len()
        && child.starts_with(parent)
        && matches!(child.as_bytes()[parent.len()], b'/' | b':')
}

/// The ARN of what contains `resource` (as written, Sub syntax): the bucket of `bucket/*`.
/// `parent_format` is the format it must take, `child_format` the one the resource has.
pub fn parent_text(resource: &str, parent_format: &str, child_format: &str) -> Option<String> {
    let separator = *child_format.as_bytes().get(parent_format.len())?;
    // A resource that starts with a reference (`${Bucket.Arn}/*`) has the parent in the
    // reference itself.
    if resource.starts_with("${") {
        let end = resource.find('}')? + 1;
        return Some(resource[..end].to_string());
    }
    let depth = resource_field(parent_format)?
        .bytes()
        .filter(|b| *b == separator)
        .count();
    let head_len = resource.len() - resource_field(resource)?.len();
    let field = resource_field(resource)?;
    let mut seen = 0;
    for (i, b) in field.bytes().enumerate() {
        if b == separator {
            if seen == depth {
                return Some(resource[..head_len + i].to_string());
            }
            seen += 1;
        }
    }
    None
}

/// The ARN of the things inside `resource`: the objects `bucket/*` of `bucket`.
pub fn child_text(resource: &str, format: &str, parent_format: &str) -> Option<String> {
    let tail = format.get(parent_format.len()..)?;
    let mut out = String::from(resource.trim_end_matches('*'));
    if out.ends_with(['/', ':']) {
        out.pop();
    }
    let mut rest = tail;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            let close = after.find('}')?;
            out.push('*');
            rest = &after[close + 1..];
        } else {
            let c = rest.chars().next()?;
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Some(out)
}

/// The resource field of an ARN text (after the fifth colon), ignoring colons inside `${…}`.
fn resource_field(arn: &str) -> Option<&str> {
    let mut colons = 0;
    let mut depth = 0;
    for (i, b) in arn.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b':' if depth == 0 => {
                colons += 1;
                if colons == 5 {
                    return arn.get(i + 1..);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::arn::parse_literal;
    use crate::iam::Catalog;
    use crate::source::Span;

    fn scope(resources: &[&str]) -> Scope {
        Scope::new(
            resources
                .iter()
                .map(|r| ScopedResource {
                    arn: parse_literal(r, Span::new(0, r.len())),
                    text: r.to_string(),
                    symbolic: false,
                })
                .collect(),
        )
    }

    #[test]
    fn bucket_and_object_actions() {
        let c = Catalog::embedded();
        let list = c.lookup("s3:ListBucket").unwrap();
        let get = c.lookup("s3:GetObject").unwrap();
        let all = c.lookup("s3:ListAllMyBuckets").unwrap();
        let mut objects = scope(&["arn:aws:s3:::b/*"]);
        assert!(!objects.fits(&list));
        assert!(objects.fits(&get));
        assert!(!objects.fits(&all));
        assert_eq!(objects.gap(&all), Gap::StarOnlyPerhaps);
        assert!(matches!(
            objects.gap(&list),
            Gap::Parent {
                resource_type: "bucket",
                ..
            }
        ));
        let mut bucket = scope(&["arn:aws:s3:::b"]);
        assert!(matches!(
            bucket.gap(&get),
            Gap::Child {
                resource_type: "object",
                ..
            }
        ));
        let mut queue = scope(&["arn:aws:sqs:*:*:q"]);
        assert_eq!(queue.gap(&get), Gap::WrongService { service: "s3" });
        let mut star = scope(&["*"]);
        assert!(star.fits(&all) && star.fits(&get));
    }

    #[test]
    fn star_only_actions_are_judged_by_what_is_known_of_them() {
        let c = Catalog::embedded();
        let describe = c.lookup("logs:DescribeLogGroups").unwrap();
        let topics = c.lookup("sns:ListTopics").unwrap();
        let instances = c.lookup("ec2:DescribeInstances").unwrap();
        // The curated form: any wildcard that matches `…:log-group::log-stream:` grants it, a
        // single log group does not.
        assert!(scope(&["arn:aws:logs:*:*:*"]).fits(&describe));
        assert!(scope(&["arn:aws:logs:*:*:log-group:*"]).fits(&describe));
        let mut one_group = scope(&["arn:aws:logs:us-east-1:123456789012:log-group:app:*"]);
        assert!(!one_group.fits(&describe));
        assert!(matches!(one_group.gap(&describe), Gap::Documented { .. }));
        // Nothing curated: an ARN of the action's own service may be what it checks.
        let mut own = scope(&["arn:aws:sns:us-east-1:123456789012:alerts"]);
        assert!(!own.fits(&topics));
        assert_eq!(own.gap(&topics), Gap::StarOnlyPerhaps);
        // Another service's ARN is certainly not.
        assert_eq!(
            scope(&["arn:aws:sqs:*:*:q"]).gap(&topics),
            Gap::StarOnly { documented: None }
        );
        // EC2 documents its Describe actions as taking `*` only.
        assert!(matches!(
            scope(&["arn:aws:ec2:*:*:instance/*"]).gap(&instances),
            Gap::StarOnly {
                documented: Some(_)
            }
        ));
        // Transform ARNs are CloudFormation resources a change set is authorised against.
        let change_set = c.lookup("cloudformation:CreateChangeSet").unwrap();
        assert!(
            scope(&["arn:aws:cloudformation:us-east-1:aws:transform/Serverless-2016-10-31"])
                .fits(&change_set)
        );
    }

    #[test]
    fn parent_and_child_text() {
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert_eq!(
            parent_text("arn:aws:s3:::${S3Bucket}/*", bucket, object).as_deref(),
            Some("arn:aws:s3:::${S3Bucket}")
        );
        assert_eq!(
            parent_text("${B.Arn}/*", bucket, object).as_deref(),
            Some("${B.Arn}")
        );
        assert_eq!(
            child_text("arn:aws:s3:::b", object, bucket).as_deref(),
            Some("arn:aws:s3:::b/*")
        );
    }
}
