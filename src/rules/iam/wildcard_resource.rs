use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::usage::granted_on_star_by_design;
use crate::iam::Effect;
use crate::iam::{AccessLevel, ActionRef, PolicyKind, Statement};
use crate::rules::iam::support::{by_familiarity, copies_service_role, name_some, patterns};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement with `Resource: "*"` that grants write or
    /// permissions-management actions which support resource-level scoping. One finding per
    /// statement, on the `*`, naming a few of the actions and their count.
    ///
    /// Not reported: actions that only accept `"*"` (nothing narrower is possible); actions AWS
    /// grants on `"*"` by design in its own agent and execution-role policies
    /// (AmazonSSMManagedInstanceCore, CloudWatchAgentServerPolicy, the ECS container agent's and
    /// task execution role's, the Lambda, Object Lambda and durable-function execution roles'; see
    /// `rules/iam/wildcard-by-design.txt`); `iam:PassRole` (`pass-role-wildcard`'s finding),
    /// `Action: "*"`, and resource policies, where `"*"` means the resource the policy is
    /// attached to.
    ///
    /// Nor a statement whose `Condition` narrows the resources down after all: by their tags
    /// (`aws:ResourceTag/…`, `ec2:ResourceTag/…` and the other services' `…:ResourceTag/…`), to
    /// requests a service makes on the principal's behalf (`aws:CalledVia`,
    /// `aws:ViaAWSService`, `kms:ViaService`), to KMS keys used with an encryption context
    /// (`kms:EncryptionContext…`), or to requests from a VPC (`aws:SourceVpc`,
    /// `aws:SourceVpce`). A test with `…IfExists` does not count: it passes when the key is
    /// absent. Nor a statement of a role trusting an AWS service that copies the documented
    /// policy of that service's role (the ECS service role, the Application Auto Scaling role
    /// for ECS; `rules/iam/service-roles.tsv`): the service acts on whatever resources the
    /// account's ECS services use.
    ///
    /// ## Why it matters
    /// `"*"` lets the actions change every resource of the kind in the account, not just the
    /// ones the workload owns: `s3:DeleteObject` on `"*"` deletes from every bucket.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [s3:PutObject, s3:DeleteObject]
    ///   Resource: '*'
    /// ```
    ///
    /// ## Fix
    /// Name the resources:
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [s3:PutObject, s3:DeleteObject]
    ///   Resource: !Sub '${DataBucket.Arn}/*'
    /// ```
    pub struct WildcardResource {
        name: "wildcard-resource",
        code: "I026",
        severity: Warning,
        family: Iam,
        summary: "Write actions that support resource scoping, granted on `Resource: \"*\"`",
    }
}

impl Rule for WildcardResource {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for statement in &policy.statements {
                // In a resource policy `"*"` means the resource the policy is attached to (a
                // KMS key policy must say `"*"`).
                if statement.effect() != Some(Effect::Allow) || policy.kind != PolicyKind::Identity
                {
                    continue;
                }
                let Some(star) = statement
                    .resources()
                    .iter()
                    .find(|r| r.literal().as_deref() == Some("*"))
                else {
                    continue;
                };
                if narrowing_condition(statement).is_some()
                    || copies_service_role(ctx, policy, statement)
                {
                    continue;
                }
                let mut flagged: Vec<ActionRef<'static>> = Vec::new();
                let mut items = Vec::new();
                for (item, pattern) in patterns(statement) {
                    if matches!(pattern.as_str(), "*" | "*:*") {
                        continue;
                    }
                    let before = flagged.len();
                    for &action in item.actions() {
                        if scoped_write(&action) && !flagged.contains(&action) {
                            flagged.push(action);
                        }
                    }
                    if flagged.len() > before {
                        items.push(item);
                    }
                }
                if flagged.is_empty() {
                    continue;
                }
                by_familiarity(&mut flagged);
                let n = flagged.len();
                let first = flagged[0];
                // An ARN of the action's own service makes the clearest example (the first
                // resource type listed is sometimes a generic one, e.g. resource groups).
                let own = format!(":{}:", first.service().prefix);
                let example = first
                    .typical_arn_format()
                    .filter(|f| f.contains(&own))
                    .or_else(|| {
                        first
                            .resource_types()
                            .flat_map(|(rt, _)| rt.arn_formats.iter().copied())
                            .find(|f| f.contains(&own))
                    })
                    .or_else(|| first.typical_arn_format())
                    .unwrap_or("");
                let message = if n == 1 {
                    format!(
                        "{} ({}) is granted on every resource",
                        name_some(&flagged, 1),
                        first.access_level()
                    )
                } else {
                    format!(
                        "{n} write or permissions-management actions, such as {}, are granted \
                         on every resource",
                        name_some(&flagged, 3)
                    )
                };
                let mut d = Diagnostic::new(&Self::META, star.span, message).with_help(format!(
                    "name the resources the actions need instead of `*`, e.g. `{example}` for `{}`",
                    first.full_name()
                ));
                for item in items {
                    d = d.with_label(item.span, "granted on `*`");
                }
                out.push(d);
            }
        }
    }
}

/// Condition keys that limit which resources a statement on `"*"` reaches (see the rule's
/// documentation); prefixes end with `/` or `:`, as the keys they stand for continue.
const NARROWING_KEYS: &[&str] = &[
    "aws:ResourceTag/",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:ViaAWSService",
    "kms:ViaService",
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "aws:SourceVpc",
    "aws:SourceVpce",
];

/// The first condition key of the statement that narrows its resources down, if any.
fn narrowing_condition<'a>(statement: &Statement<'a>) -> Option<&'a str> {
    let condition = statement.condition.as_ref()?;
    condition
        .operators
        .iter()
        // `…IfExists` passes when the key is absent, so it does not narrow anything down.
        .filter(|op| !op.name.ends_with("IfExists"))
        .flat_map(|op| &op.entries)
        .map(|e| e.name)
        .find(|key| {
            let lower = key.to_ascii_lowercase();
            // Every service's own `<prefix>:ResourceTag/…` too (`ec2:ResourceTag/Team`).
            lower
                .split_once(':')
                .is_some_and(|(_, name)| name.starts_with("resourcetag/"))
                || NARROWING_KEYS.iter().any(|k| {
                    let k = k.to_ascii_lowercase();
                    if k.ends_with(['/', ':']) {
                        lower.starts_with(&k)
                    } else {
                        lower == k
                    }
                })
        })
}

fn scoped_write(action: &ActionRef<'static>) -> bool {
    matches!(
        action.access_level(),
        AccessLevel::Write | AccessLevel::PermissionsManagement
    ) && action.resource_types().next().is_some()
        && !(action.service().prefix == "iam" && action.name().eq_ignore_ascii_case("PassRole"))
        && !granted_on_star_by_design(action)
}
