//! What each cfn-lint check corresponds to here: the one table that carries cfn-lint's
//! suppressions over (`Metadata: cfn-lint: config: ignore_checks`, see `crate::suppress`), that
//! `config --from-cfnlintrc` translates with, and that `docs/migrating-from-cfn-lint.md` is
//! generated from ([`markdown`]; `tests/registry.rs` keeps the committed page equal to it).
//!
//! `tests/registry.rs` checks that every rule name in the table is a registered rule, so a
//! typo cannot carry a suppression over to nothing.
//!
//! The short descriptions of cfn-lint's checks are ours. cfn-lint's rule IDs are from
//! cfn-lint 1.58.0 (`cfn-lint --list-rules`).

use crate::yaml::{Node, NodeKind};
use std::fmt::Write as _;

/// One cfn-lint check and the rules that check the same here.
#[derive(Debug)]
pub struct Check {
    /// cfn-lint's rule ID, e.g. `W3037`.
    pub id: &'static str,
    /// What cfn-lint checks, in a few words.
    pub checks: &'static str,
    /// Our rules covering it; empty when nothing here does.
    pub ours: &'static [&'static str],
    /// How the coverage differs, or why there is none.
    pub note: &'static str,
}

/// The rules that judge a policy document's structure against IAM's grammar, as cfn-lint's
/// policy-schema checks (E3510, E3512, E3513, E3530) do, whatever the kind of policy.
const POLICY_GRAMMAR: [&str; 6] = [
    "invalid-policy-element",
    "missing-policy-element",
    "conflicting-policy-elements",
    "invalid-effect",
    "invalid-policy-version",
    "malformed-policy",
];

/// …and for each kind of policy, the rules about the elements it has.
const IDENTITY_POLICY: [&str; 10] = joined(
    POLICY_GRAMMAR,
    [
        "invalid-sid",
        "duplicate-sid",
        "invalid-condition-value",
        "principal-in-identity-policy",
    ],
);
const RESOURCE_POLICY: [&str; 10] = joined(
    POLICY_GRAMMAR,
    [
        "invalid-sid",
        "duplicate-sid",
        "invalid-condition-value",
        "invalid-principal",
    ],
);
const TRUST_POLICY: [&str; 7] = joined(POLICY_GRAMMAR, ["invalid-principal"]);

/// `a` then `b`, in a constant.
const fn joined<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "the joined list's length is the sum of both");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

/// Every cfn-lint check a migrating user is likely to have suppressed, by ID. IDs not listed
/// have no equivalent here.
pub const CHECKS: &[Check] = &[
    Check {
        id: "E0000",
        checks: "the file parses as YAML or JSON",
        ours: &[
            "yaml-syntax",
            "tab-indentation",
            "inconsistent-indentation",
            "duplicate-key",
            "unknown-tag",
        ],
        note: "we say which key or tab is at fault, and also read files that only a repair of their indentation makes parse",
    },
    Check {
        id: "E0001",
        checks: "the template's transform (SAM, macros) runs",
        ours: &[],
        note: "transforms are not run here; SAM resources are read as written",
    },
    Check {
        id: "E1001",
        checks: "the template's top-level sections",
        ours: &["invalid-template-section"],
        note: "",
    },
    Check {
        id: "E1010",
        checks: "`Fn::GetAtt` names a resource and an attribute it has",
        ours: &["undefined-reference", "unknown-attribute"],
        note: "",
    },
    Check {
        id: "E1011",
        checks: "`Fn::FindInMap` names a mapping that exists",
        ours: &["undefined-reference"],
        note: "the keys inside the map are not checked",
    },
    Check {
        id: "E1019",
        checks: "`Fn::Sub` strings and their variables",
        ours: &["undefined-reference", "invalid-sub-variable"],
        note: "",
    },
    Check {
        id: "E1020",
        checks: "`Ref` names a parameter, resource or pseudo parameter",
        ours: &["undefined-reference"],
        note: "",
    },
    Check {
        id: "E1029",
        checks: "a `${…}` in a string that is not in `Fn::Sub`",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "E2001",
        checks: "the attributes of each parameter",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "E3001",
        checks: "the attributes of each resource (`Type` present, known keys)",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "E3002",
        checks: "resource properties against the resource schema",
        ours: &["unknown-property", "invalid-property-type"],
        note: "",
    },
    Check {
        id: "E3003",
        checks: "required resource properties are present",
        ours: &["missing-required-property"],
        note: "",
    },
    Check {
        id: "E3005",
        checks: "`DependsOn` names resources that exist",
        ours: &["undefined-reference"],
        note: "",
    },
    Check {
        id: "E3006",
        checks: "the resource type exists",
        ours: &["unknown-resource-type"],
        note: "",
    },
    Check {
        id: "E3011",
        checks: "property names are valid for the resource type",
        ours: &["unknown-property"],
        note: "",
    },
    Check {
        id: "E3012",
        checks: "property values have the type the schema gives",
        ours: &["invalid-property-type"],
        note: "",
    },
    Check {
        id: "E3014",
        checks: "exactly one of a set of properties is given",
        ours: &["mutually-exclusive-properties"],
        note: "",
    },
    Check {
        id: "E3017",
        checks: "at least one of a set of properties is given",
        ours: &["missing-required-property"],
        note: "",
    },
    Check {
        id: "E3018",
        checks: "only one of a set of properties is given",
        ours: &["mutually-exclusive-properties"],
        note: "",
    },
    Check {
        id: "E3020",
        checks: "a property that excludes others appears without them",
        ours: &["mutually-exclusive-properties"],
        note: "",
    },
    Check {
        id: "E3030",
        checks: "property values are among the allowed ones",
        ours: &["invalid-property-value"],
        note: "",
    },
    Check {
        id: "E3031",
        checks: "property values match the schema's pattern",
        ours: &["invalid-property-value"],
        note: "",
    },
    Check {
        id: "E3058",
        checks: "at least one of a set of required properties is given",
        ours: &["missing-required-property"],
        note: "",
    },
    Check {
        id: "E3510",
        checks: "identity policies against IAM's policy schema",
        ours: &IDENTITY_POLICY,
        note: "",
    },
    Check {
        id: "E3512",
        checks: "resource policies against IAM's policy schema",
        ours: &RESOURCE_POLICY,
        note: "",
    },
    Check {
        id: "E3513",
        checks: "ECR repository policies against the policy schema",
        ours: &RESOURCE_POLICY,
        note: "",
    },
    Check {
        id: "E3514",
        checks: "the resource ARNs of resource policies",
        ours: &["invalid-arn", "resource-policy-mismatch"],
        note: "",
    },
    Check {
        id: "E3530",
        checks: "trust policies against IAM's policy schema",
        ours: &TRUST_POLICY,
        note: "",
    },
    Check {
        id: "E8002",
        checks: "conditions named by resources, outputs and `Fn::If` exist",
        ours: &["undefined-reference"],
        note: "",
    },
    Check {
        id: "I3510",
        checks: "a statement's resources fit its actions",
        ours: &["resource-scope-mismatch"],
        note: "ours is a warning or an error, judged per action",
    },
    Check {
        id: "W1001",
        checks: "a `Ref` or `GetAtt` to a resource that a condition may leave out",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "W1020",
        checks: "an `Fn::Sub` without variables",
        ours: &[],
        note: "not reported: harmless",
    },
    Check {
        id: "W1100",
        checks: "YAML merge keys (`<<`)",
        ours: &["yaml-alias"],
        note: "",
    },
    Check {
        id: "W1101",
        checks: "YAML anchors and aliases",
        ours: &["yaml-alias"],
        note: "",
    },
    Check {
        id: "W2001",
        checks: "parameters that nothing uses",
        ours: &["unused-parameter"],
        note: "",
    },
    Check {
        id: "W2501",
        checks: "password properties come from a `NoEcho` parameter or a dynamic reference",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "W2511",
        checks: "the policy language version",
        ours: &["legacy-policy-version", "missing-policy-version"],
        note: "",
    },
    Check {
        id: "W3005",
        checks: "a `DependsOn` that a `Ref` or `GetAtt` already implies",
        ours: &[],
        note: "not reported: harmless",
    },
    Check {
        id: "W3010",
        checks: "hard-coded availability zones",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "W3011",
        checks: "`UpdateReplacePolicy` and `DeletionPolicy` set together",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "W3037",
        checks: "the actions of IAM policies exist",
        ours: &[
            "unknown-service",
            "unknown-action",
            "action-pattern-matches-nothing",
            "invalid-action",
        ],
        note: "",
    },
    Check {
        id: "W3045",
        checks: "S3 bucket access set with `AccessControl` instead of a bucket policy",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "W3663",
        checks: "a Lambda permission for a service principal names the source account",
        ours: &["confused-deputy"],
        note: "",
    },
    Check {
        id: "W7001",
        checks: "mappings that nothing uses",
        ours: &[],
        note: "not checked",
    },
    Check {
        id: "W8001",
        checks: "conditions that nothing uses",
        ours: &[],
        note: "not checked",
    },
];

/// The rest of cfn-lint's checks, by family, none of which has an equivalent here.
pub const UNMAPPED_FAMILIES: &[(&str, &str)] = &[
    ("E0xxx", "transform, rule and configuration errors, deployment and parameter files"),
    (
        "E1xxx, W1xxx",
        "the other intrinsic-function and dynamic-reference checks, and value formats (VPC, subnet, AMI and security-group IDs, other ARNs outside policies)",
    ),
    ("E2xxx, W2xxx", "parameter definitions and values, Lambda runtimes"),
    (
        "E3xxx, W3xxx, I3xxx",
        "the service-specific resource checks (instance types, engine versions, ECS, RDS, API Gateway, CodePipeline…) and resource limits",
    ),
    ("E4xxx, W4xxx", "the `Metadata` section (`AWS::CloudFormation::Interface`)"),
    ("E6xxx, W6xxx", "outputs"),
    ("E7xxx", "mappings"),
    ("E8xxx", "the other condition-function checks"),
    ("I1xxx, I2xxx, I6xxx, I7xxx", "size and count limits approached"),
];

/// The checks whose ID cfn-lint's `ignore_checks` entry `entry` selects: the check with that
/// ID, or with `prefix` every check whose ID starts with it (`W3`, `E`), as cfn-lint matches
/// the template-level list.
pub fn selected(entry: &str, prefix: bool) -> impl Iterator<Item = &'static Check> + '_ {
    CHECKS.iter().filter(move |c| {
        if prefix {
            c.id.starts_with(entry)
        } else {
            c.id == entry
        }
    })
}

/// The entries of cfn-lint's `Metadata: cfn-lint: config: ignore_checks` (a list, or one ID).
pub fn ignore_checks(metadata: &Node) -> Vec<&Node> {
    let Some(list) = metadata
        .get("cfn-lint")
        .and_then(|n| n.get("config"))
        .and_then(|n| n.get("ignore_checks"))
    else {
        return Vec::new();
    };
    match &list.kind {
        NodeKind::Sequence(items) => items.iter().collect(),
        NodeKind::Scalar(_) => vec![list],
        _ => Vec::new(),
    }
}

/// The page `docs/migrating-from-cfn-lint.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "<!-- Generated from `src/rules/cfnlint.rs` by `UPDATE_DOCS=1 cargo test --test registry`: do not edit. -->\n\n\
         # Coming from cfn-lint\n\n",
    );
    out.push_str(
        "cfn-lint validates every resource against the CloudFormation resource schemas; \
         cfn-policy-lint checks the YAML itself, the template's references and, most of all, the \
         IAM policies inside it. This page says which of our rules stand for each cfn-lint check a \
         template is likely to suppress, and where there is none.\n\n\
         ## What carries over\n\n\
         - **Suppressions in templates.** `Metadata: cfn-lint: config: ignore_checks: [W3037]` \
         on a resource suppresses the rules that the table below maps `W3037` to, for that \
         resource; in the template's top-level `Metadata` it turns them off for the whole file. As \
         in cfn-lint, a resource's entries are whole IDs and the template's may be prefixes \
         (`W3`, `E`). An ID that maps to nothing here gets an `unmapped-cfn-lint-check` finding \
         (info) saying so. These suppressions are never reported as unused: cfn-lint may still \
         need them.\n\
         - **`.cfnlintrc`.** `cfn-policy-lint config --from-cfnlintrc [FILE]` prints the \
         `.cfn-policy-lint.yaml` that does what the file's `ignore_checks`, `templates` and \
         `ignore_templates` do, with the rest explained in comments.\n\
         - **The command line.** `cfn-policy-lint FILE…` means `cfn-policy-lint check FILE…`. \
         cfn-lint's `--ignore-checks` and `--include-checks` are `--ignore` and `--select` here \
         (they take our rule names, codes or families), and `--format parseable` is \
         `--format concise`; using cfn-lint's spelling is an error that names ours.\n\n",
    );
    out.push_str("## cfn-lint checks and our rules\n\n");
    out.push_str("| cfn-lint | what it checks | cfn-policy-lint | notes |\n|---|---|---|---|\n");
    for c in CHECKS {
        let ours = if c.ours.is_empty() {
            "none".to_string()
        } else {
            c.ours
                .iter()
                .map(|r| format!("[`{r}`](rules.md#{r})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "| {} | {} | {ours} | {} |", c.id, c.checks, c.note);
    }
    out.push_str("\n## cfn-lint checks with no equivalent\n\n");
    out.push_str("Every cfn-lint ID not in the table above has none. By family, they check:\n\n");
    for (ids, what) in UNMAPPED_FAMILIES {
        let _ = writeln!(out, "- **{ids}**: {what}.");
    }
    out.push_str(
        "\nOur rules with no cfn-lint counterpart are those about the intent of policies \
         (wildcards, scope, public or escalating grants, what a role needs for its purpose), \
         the cross-file checks of policy names, and the Markdown and shell-script readers: see \
         [the rule reference](rules.md).\n",
    );
    out
}
