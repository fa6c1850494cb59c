use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::purpose::wiring::engine::WiringFinding;
use crate::purpose::wiring::WiringSeverity;
use crate::purpose::{analyse_with_wired, principals, Finding, Missing, PackSet, Recognition};
use crate::rules::{FileContext, Rule};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Finds roles, users, groups and standalone policies that are meant for a purpose (an
    /// SSM managed node, Session Manager, Run Command output to S3, invoking a Lambda
    /// function, the CloudWatch agent …) but do not grant every action the purpose needs, on
    /// the resource it needs it on. Purposes and their needs come from the purpose packs
    /// (`rules/packs/*.yaml`, extensible with `--packs DIR`).
    ///
    /// A purpose applies when it is declared in the resource's metadata
    /// (`Metadata: {cfn-policy-lint: {purposes: [ssm-session-manager]}}` on the role or the
    /// policy; then findings are errors) or in the configuration file
    /// (`rules: {missing-required-actions: {purposes: {InstanceRole: [ssm-session-manager]}}}`,
    /// by logical id; also errors), or when the principal already grants the pack's
    /// characteristic actions (e.g. the `ssmmessages` channels on a role EC2 assumes). Nothing
    /// is inferred for principals with policies this program cannot see (a customer managed
    /// policy ARN, a policy attached to a role of another stack). Permissions are aggregated
    /// per principal: inline policies, the template's policies attached to it, and AWS managed
    /// policies attached by ARN (AmazonSSMManagedInstanceCore satisfies the SSM packs).
    ///
    /// An action the principal names but on a resource that cannot hold it (`s3:*` on
    /// `bucket/*` for the bucket-level `s3:GetEncryptionConfiguration`) is left to
    /// `resource-scope-mismatch`, which points at the statement itself.
    ///
    /// ## Why it matters
    /// A policy that grants most of what a purpose needs looks right and fails at run time:
    /// without `ssm:UpdateInstanceInformation` the instance never appears in Systems Manager,
    /// and sessions to it fail although every `ssmmessages` action is granted.
    ///
    /// ## Example
    /// ```yaml
    /// InstanceRole:
    ///   Type: AWS::IAM::Role
    ///   Properties:
    ///     AssumeRolePolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: {Service: ec2.amazonaws.com}
    ///           Action: sts:AssumeRole
    ///     Policies:
    ///       - PolicyName: sessions
    ///         PolicyDocument:
    ///           Version: '2012-10-17'
    ///           Statement:
    ///             - Effect: Allow
    ///               Action:
    ///                 - ssmmessages:CreateControlChannel
    ///                 - ssmmessages:CreateDataChannel
    ///                 - ssmmessages:OpenControlChannel
    ///                 - ssmmessages:OpenDataChannel
    ///               Resource: '*'
    /// ```
    ///
    /// ## Fix
    /// Add the statement the help shows, or attach the AWS managed policy that covers the
    /// purpose:
    /// ```yaml
    ///             - Effect: Allow
    ///               Action:
    ///                 - ssm:UpdateInstanceInformation
    ///               Resource: '*'
    /// ```
    pub struct MissingRequiredActions {
        name: "missing-required-actions",
        code: "P001",
        severity: Warning,
        family: Purpose,
        summary: "A principal meant for a purpose lacks actions that purpose needs",
        options: [(
            "purposes",
            "a mapping from a role's (or user's, group's) logical ID to the purpose packs it is \
             meant for, e.g. `{InstanceRole: [ssm-session-manager]}`: the same as declaring them \
             in the resource's Metadata",
        )],
    }
}

impl Rule for MissingRequiredActions {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        check_with(PackSet::active(), ctx, out);
    }
}

/// The rule with a given pack set (tests use their own).
pub fn check_with(packs: &PackSet, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    let policies = ctx.policies();
    if ctx.template.is_some_and(|t| t.has_unknown_content()) {
        return;
    }
    let all = principals(ctx.template, policies, &ctx.source.text);
    // Wirings may concern roles SAM generates, which are no principal of the template.
    if all.is_empty() && ctx.template.is_none_or(|t| !t.is_sam()) {
        return;
    }
    // `rules: missing-required-actions: purposes: {LogicalId: [pack, …]}` in the configuration.
    let configured = |id: &str| -> Vec<String> {
        ctx.options_of(MissingRequiredActions::META.name)
            .and_then(|o| o.get("purposes"))
            .and_then(|p| p.get(id))
            .map(|v| match v {
                serde_json::Value::String(s) => vec![s.clone()],
                serde_json::Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            })
            .unwrap_or_default()
    };
    // Only the wiring files naming a resource type of the template are read; none, no work.
    let wired = ctx.template.map(|template| {
        crate::purpose::wiring::engine::find(
            &crate::purpose::wiring::for_types(
                &template
                    .resources
                    .iter()
                    .filter_map(|r| r.type_)
                    .collect::<Vec<_>>(),
            ),
            template,
            &ctx.source.text,
            policies,
            &all,
        )
    });
    let by_pack = |id: &str| -> Vec<(String, Recognition<'_>)> {
        wired
            .iter()
            .flat_map(|w| &w.packs)
            .filter(|p| p.role == id)
            .map(|p| {
                (
                    p.pack.to_string(),
                    Recognition::Wired {
                        wiring: p.wiring.name.clone(),
                        title: p.wiring.title.clone(),
                        site: p.site,
                        error: p.wiring.severity == WiringSeverity::Error,
                    },
                )
            })
            .collect()
    };
    let analysis = analyse_with_wired(
        packs,
        ctx.template,
        &all,
        &ctx.source.text,
        &configured,
        &by_pack,
    );
    for f in wired.iter().flat_map(|w| &w.findings) {
        out.push(wiring_diagnostic(f));
    }
    let meta = &MissingRequiredActions::META;
    for unknown in &analysis.unknown {
        let name = unknown.node.as_str().unwrap_or("");
        let mut d = Diagnostic::new(meta, unknown.node.span, format!("unknown purpose `{name}`"))
            .with_severity(Severity::Error);
        d = d.with_help(match &unknown.suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "known purposes: {}",
                packs
                    .packs()
                    .iter()
                    .map(|p| format!("`{}`", p.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        out.push(d);
    }
    for (index, finding) in &analysis.findings {
        let principal = &all[*index];
        let who = principal
            .logical_id
            .map_or_else(|| "this policy".to_string(), |id| format!("`{id}`"));
        out.push(diagnostic(finding, &who, principal.key.map(|k| k.span)));
    }
}

fn diagnostic(f: &Finding<'_, '_>, who: &str, fallback: Option<Span>) -> Diagnostic {
    let meta = &MissingRequiredActions::META;
    if let Some((old, span)) = f.superseded {
        let by = crate::iam::managed_policy(&old.by).map_or_else(
            || old.by.clone(),
            |m| {
                format!(
                    "arn:${{AWS::Partition}}:iam::aws:policy{}{}",
                    m.path, m.name
                )
            },
        );
        return Diagnostic::new(
            meta,
            span,
            format!(
                "{who} attaches the deprecated AWS managed policy `{}` for {} (`{}`)",
                old.policy, f.pack.title, f.pack.name
            ),
        )
        .with_severity(Severity::Warning)
        .with_help(format!(
            "attach `{by}` instead: AWS deprecated `{}`, and it grants more than the purpose \
             needs; see {}",
            old.policy, f.pack.docs
        ));
    }
    let declared = matches!(
        f.recognition,
        Recognition::Declared(_) | Recognition::Configured
    );
    let span = match &f.recognition {
        // A wiring points at what the template wires, with the principal as a label.
        Recognition::Wired { site, .. } => *site,
        _ => f
            .closest_policy
            .and_then(|p| p.statement.map(|s| s.key.span))
            .or(match &f.recognition {
                Recognition::Declared(node) => Some(node.span),
                _ => None,
            })
            .or(fallback)
            .unwrap_or_default(),
    };
    let message = format!(
        "{who} is meant for {} (`{}`) but does not grant {}",
        f.pack.title,
        f.pack.name,
        list_missing(&f.missing)
    );
    let mut d = Diagnostic::new(meta, span, message);
    if declared || matches!(f.recognition, Recognition::Wired { error: true, .. }) {
        d = d.with_severity(Severity::Error);
    }
    if let (Recognition::Wired { .. }, Some(role)) = (&f.recognition, fallback) {
        d = d.with_label(role, who.to_string());
    }
    if let Some((statement, n)) = f.closest_statement {
        let at = statement
            .action
            .as_ref()
            .map_or(statement.node.span, |a| a.element.key.span);
        let total = f.pack.required_actions().len();
        d = d.with_label(
            at,
            format!(
                "closest statement: grants {n} of the {total} actions of `{}`",
                f.pack.name
            ),
        );
    }
    if let Recognition::Declared(node) = &f.recognition {
        if node.span != span {
            d = d.with_label(node.span, "purpose declared here");
        }
    }
    d.with_help(help(f))
}

/// "`a` and `b` on `*`, and `c` on `arn:…`".
fn list_missing(missing: &[Missing]) -> String {
    let groups = by_resource(missing);
    let parts: Vec<String> = groups
        .iter()
        .map(|(resource, actions)| {
            let names: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
            format!("{} on `{resource}`", join_and(&names))
        })
        .collect();
    join_and(&parts)
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Missing actions grouped by resource, in first-seen order.
fn by_resource(missing: &[Missing]) -> Vec<(&str, Vec<&str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in missing {
        match groups.iter_mut().find(|(r, _)| *r == m.resource) {
            Some((_, actions)) => actions.push(&m.action),
            None => groups.push((&m.resource, vec![&m.action])),
        }
    }
    groups
}

fn help(f: &Finding<'_, '_>) -> String {
    let mut yaml = String::new();
    for (resource, actions) in by_resource(&f.missing) {
        yaml.push_str("- Effect: Allow\n  Action:\n");
        for a in actions {
            yaml.push_str(&format!("    - {a}\n"));
        }
        let value = if resource == "*" {
            "'*'".to_string()
        } else if resource.contains("${") {
            format!("!Sub '{resource}'")
        } else {
            format!("'{resource}'")
        };
        yaml.push_str(&format!("  Resource: {value}\n"));
    }
    let mut text = if f.closest_policy.is_some() {
        format!("add to the policy's `Statement`:\n{yaml}")
    } else {
        format!("add a policy (e.g. under the role's `Policies`) with the statement:\n{yaml}")
    };
    if let Some(m) = f.pack.satisfied_by.first() {
        text.push_str(&format!(
            "or attach the AWS managed policy `arn:${{AWS::Partition}}:iam::aws:policy/{m}`"
        ));
        if let Recognition::Inferred {
            through: Some(old), ..
        } = &f.recognition
        {
            text.push_str(&format!(" instead of `{old}`"));
        }
        text.push_str("; ");
    }
    match &f.recognition {
        Recognition::Inferred { evidence, through } => text.push_str(&format!(
            "recognised because {} {}; see {}",
            match through {
                Some(m) => format!("its AWS managed policy `{m}` grants"),
                None => "it grants".to_string(),
            },
            join_and(
                &evidence
                    .iter()
                    .take(3)
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
            ) + if evidence.len() > 3 { " …" } else { "" },
            f.pack.docs
        )),
        Recognition::Declared(_) => text.push_str(&format!("see {}", f.pack.docs)),
        Recognition::Wired { wiring, title, .. } => text.push_str(&format!(
            "recognised because {title} (wiring `{wiring}`); see {}",
            f.pack.docs
        )),
        Recognition::Configured => text.push_str(&format!(
            "declared in the configuration's `rules: missing-required-actions: purposes`; see {}",
            f.pack.docs
        )),
    }
    text
}

/// A wiring whose role lacks actions: at the wiring property, with a label on the role.
fn wiring_diagnostic(f: &WiringFinding<'_, '_, '_>) -> Diagnostic {
    let meta = &MissingRequiredActions::META;
    let w = f.wiring;
    let (role, role_span) = f.role;
    // "`a` and `b` on `OrdersQueue`", grouped by resource in first-seen order.
    let mut groups: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for m in &f.missing {
        match groups.iter_mut().find(|(y, _, _)| *y == m.resource_yaml) {
            Some((_, _, actions)) => actions.push(&m.action),
            None => groups.push((&m.resource_yaml, &m.resource_name, vec![&m.action])),
        }
    }
    let list = join_and(
        &groups
            .iter()
            .map(|(_, name, actions)| {
                let names: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
                if *name == "`*`" {
                    format!("{} (on any resource)", join_and(&names))
                } else {
                    format!("{} on {name}", join_and(&names))
                }
            })
            .collect::<Vec<_>>(),
    );
    let whose = if f.generated {
        format!("the role SAM generates for `{role}`")
    } else {
        format!("its role `{role}`")
    };
    let message = format!(
        "`{}`: {}, but {whose} is not allowed {list}",
        f.resource, w.title
    );
    let mut d = Diagnostic::new(meta, f.site, message).with_severity(match w.severity {
        WiringSeverity::Error => Severity::Error,
        WiringSeverity::Warning => Severity::Warning,
    });
    if !f.generated || role != f.resource {
        d = d.with_label(
            role_span,
            if f.generated {
                format!("SAM generates the role of `{role}`")
            } else {
                format!("the role `{role}`")
            },
        );
    }
    // Statements granting the actions elsewhere: one label per statement and resource.
    let mut near: Vec<(Span, String, &str, Vec<&str>)> = Vec::new();
    let mut notes = Vec::new();
    for m in &f.missing {
        for (statement, names) in &m.near {
            let at = statement
                .resource
                .as_ref()
                .map_or(statement.node.span, |r| r.element.key.span);
            let on = join_and(names);
            match near
                .iter_mut()
                .find(|(s, o, r, _)| *s == at && *o == on && *r == m.resource_name)
            {
                Some((_, _, _, actions)) => actions.push(&m.action),
                None => near.push((at, on, &m.resource_name, vec![&m.action])),
            }
        }
        if let Some(deny) = m.denied_by {
            d = d.with_label(deny.node.span, format!("this Deny removes `{}`", m.action));
        }
        if m.by_boundary {
            let note = format!("`{}` is outside the role's permissions boundary", m.action);
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    for (at, on, needed, actions) in near {
        let names: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
        d = d.with_label(
            at,
            format!("{} granted on {on}, not on {needed}", join_and(&names)),
        );
    }
    let mut help = String::from(if f.generated {
        "add to its `Policies` a statement (a policy template also does):\n"
    } else {
        "add to the role's policy:\n"
    });
    for (yaml, _, actions) in &groups {
        help.push_str("- Effect: Allow\n  Action:\n");
        for a in actions {
            help.push_str(&format!("    - {a}\n"));
        }
        help.push_str(&format!("  Resource: {yaml}\n"));
    }
    if let Some(m) = w
        .satisfied_by
        .iter()
        .find_map(|name| crate::iam::managed_policy(name))
    {
        help.push_str(&format!(
            "or attach the AWS managed policy `arn:${{AWS::Partition}}:iam::aws:policy{}{}`; ",
            m.path, m.name
        ));
    }
    for n in notes.iter().filter(|n| n.contains("boundary")) {
        help.push_str(&format!("{n}; "));
    }
    help.push_str(&format!("wiring `{}`, see {}", w.name, w.docs));
    d.with_help(help)
}
