use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::Effect;
use crate::iam::{ConditionBlock, Policy, PolicyKind};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement of a resource or trust policy whose principal is everyone
    /// (`Principal: "*"` or `Principal: {AWS: "*"}`) without a condition that narrows it down
    /// (`aws:SourceArn`, `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:SourceVpce`,
    /// `aws:SourceIp` and the like). Not reported: VPC endpoint policies and domains inside a
    /// VPC (the network restricts access), OpenSearch and Elasticsearch domains with
    /// fine-grained access control (`AdvancedSecurityOptions.Enabled: true`: the domain
    /// authorises every request itself, and AWS recommends an open domain access policy for
    /// it), statements behind a template condition (an explicit choice), and policies whose
    /// `Deny` statement refuses every other source (the private API pattern). A principal
    /// written as a plain string other than `"*"` (an account or role ARN) names one principal
    /// and is not public.
    ///
    /// Also reported: a permission resource whose principal is `"*"` with nothing narrowing it:
    /// an `AWS::Lambda::Permission` without `SourceArn`, `SourceAccount` or `PrincipalOrgID`, an
    /// `AWS::Lambda::LayerVersionPermission` without `OrganizationId`, `"*"` in an
    /// `AWS::EC2::VPCEndpointServicePermissions`' `AllowedPrincipals`, and the older form of
    /// `AWS::Events::EventBusPolicy` without a `Condition`.
    ///
    /// ## Why it matters
    /// Anyone on the internet, in any AWS account or none, gets the statement's actions. That
    /// is right for a public website bucket and a data leak everywhere else.
    ///
    /// ## Example
    /// ```yaml
    /// QueuePolicy:
    ///   Type: AWS::SQS::QueuePolicy
    ///   Properties:
    ///     PolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: "*"
    ///           Action: sqs:SendMessage
    ///           Resource: !GetAtt Queue.Arn
    /// ```
    ///
    /// ## Fix
    /// Name the principal, or restrict the statement to the intended source:
    /// ```yaml
    ///         - Effect: Allow
    ///           Principal: {Service: sns.amazonaws.com}
    ///           Action: sqs:SendMessage
    ///           Resource: !GetAtt Queue.Arn
    ///           Condition:
    ///             ArnEquals: {aws:SourceArn: !Ref Topic}
    /// ```
    pub struct PublicPrincipal {
        name: "public-principal",
        code: "I013",
        severity: Warning,
        family: Iam,
        summary: "A resource policy granting everyone without a restricting condition",
    }
}

/// Condition keys that tie a statement to a source, an organisation, an account or a
/// network, so `"*"` no longer means everyone.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceIp",
    "aws:VpcSourceIp",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalServiceName",
    "aws:userid",
    "aws:username",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "kms:CallerAccount",
    "kms:ViaService",
    "s3:DataAccessPointAccount",
    "s3:DataAccessPointArn",
    "elasticfilesystem:AccessPointArn",
    "lambda:FunctionArn",
    "sns:Endpoint",
    "cognito-identity.amazonaws.com:aud",
    "sts:ExternalId",
];

fn restricted(condition: Option<&ConditionBlock<'_>>) -> bool {
    condition.is_some_and(|c| {
        c.operators.iter().any(|op| {
            // Only tests that must match narrow the audience; `...IfExists` and `Null`
            // pass when the key is absent.
            !op.name.ends_with("IfExists")
                && op.name != "Null"
                && op.entries.iter().any(|e| {
                    RESTRICTING_KEYS
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(e.name))
                })
        })
    })
}

/// A domain inside a VPC (reachable only through the VPC's network, which its security groups
/// restrict) or with fine-grained access control (which authorises each request by its own
/// users and roles): either way an open access policy is the documented setup.
fn guarded_domain(policy: &Policy<'_>) -> bool {
    policy.owner.is_some_and(|o| {
        let properties = o.node.get("Properties");
        matches!(
            o.resource_type,
            "AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain"
        ) && (properties.and_then(|p| p.get("VPCOptions")).is_some()
            || properties
                .and_then(|p| p.get("AdvancedSecurityOptions"))
                .and_then(|a| a.get("Enabled"))
                .and_then(|e| e.as_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("true")))
    })
}

/// The private-API pattern: allow `"*"`, then deny every request not from the expected
/// source (`StringNotEquals: {aws:SourceVpce: …}`) in another statement.
fn denies_other_sources(policy: &Policy<'_>) -> bool {
    policy.statements.iter().any(|st| {
        st.effect() == Some(Effect::Deny)
            && st
                .condition
                .as_ref()
                .is_some_and(|c| RESTRICTING_KEYS.iter().any(|k| c.has_key(k)))
    })
}

impl Rule for PublicPrincipal {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            if !matches!(policy.kind, PolicyKind::Resource | PolicyKind::Trust)
                || guarded_domain(policy)
                || denies_other_sources(policy)
            {
                continue;
            }
            for st in &policy.statements {
                // Public access behind a template condition (`HasPublicReadAccess`) is an
                // explicit, deliberate choice of whoever deploys the stack.
                if st.conditional {
                    continue;
                }
                let Some(principal) = &st.principal else {
                    continue;
                };
                if st.effect() != Some(Effect::Allow) || restricted(st.condition.as_ref()) {
                    continue;
                }
                for item in principal.public_items() {
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            item.span,
                            format!(
                                "this {} policy statement allows anyone, anonymous users included",
                                policy.kind.as_str()
                            ),
                        )
                        .with_help(
                            "name the principals (an account, role or service), or add a \
                             condition such as `aws:SourceArn`, `aws:SourceAccount` or \
                             `aws:PrincipalOrgID` that limits who matches",
                        ),
                    );
                }
            }
        }
        // Permission resources (Lambda permissions, layer and endpoint service permissions).
        super::public_permissions::report(ctx, &Self::META, out);
    }
}
