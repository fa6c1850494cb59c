//! The Step Functions definition reader (`template::states`) over every state machine of the
//! shared corpus: it never panics, every span lies in the file, and it reads most definitions
//! written in the template completely. `STATES_VERBOSE=1` prints every task and every gap.

use cfn_policy_lint::template::states::{read_definition, Gap};
use cfn_policy_lint::template::Template;
use cfn_policy_lint::yaml::{parse, ParseOptions};
use std::collections::BTreeMap;

mod common;

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn corpus_state_machines_are_read() {
    let root = common::corpus();
    let list =
        std::fs::read_to_string(root.join("valid-templates.txt")).expect("the corpus's list");
    // Definitions read completely, in the template but not read completely, and not in the
    // template (S3, or none at all).
    let (mut complete, mut incomplete, mut elsewhere, mut tasks) = (0, 0, 0, 0);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut examples: BTreeMap<String, String> = BTreeMap::new();
    for rel in list.lines().filter(|l| !l.is_empty()) {
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
            continue;
        };
        if !text.contains("StateMachine") {
            continue;
        }
        let Ok(doc) = parse(&text, &ParseOptions::default()) else {
            continue;
        };
        let template = Template::from_document(&doc);
        for resource in &template.resources {
            let Some(definition) = read_definition(resource, &text) else {
                continue;
            };
            tasks += definition.tasks.len();
            for task in &definition.tasks {
                if std::env::var_os("STATES_VERBOSE").is_some() {
                    eprintln!(
                        "TASK {rel} {} {:?} {} {:?} {:?} => {:?}",
                        resource.logical_id,
                        task.kind,
                        task.resource,
                        task.parameters,
                        task.credentials,
                        &text[task.span.start..task.span.end]
                    );
                }
                // Every span lies in the file.
                assert!(
                    task.span.start <= task.span.end && task.span.end <= text.len(),
                    "{rel}: {}",
                    task.name
                );
            }
            if definition.complete {
                complete += 1;
                continue;
            }
            if definition
                .gaps
                .iter()
                .all(|g| matches!(g, Gap::External | Gap::Missing))
            {
                elsewhere += 1;
            } else {
                incomplete += 1;
            }
            for gap in &definition.gaps {
                if std::env::var_os("STATES_VERBOSE").is_some() {
                    eprintln!("{rel} {}: {gap}", resource.logical_id);
                }
                let kind = match gap {
                    Gap::Malformed(_) => "Malformed".to_string(),
                    Gap::State(_) => "State".to_string(),
                    Gap::UnknownResource(_) => "UnknownResource".to_string(),
                    other => format!("{other:?}"),
                };
                *reasons.entry(kind.clone()).or_default() += 1;
                examples
                    .entry(kind)
                    .or_insert_with(|| format!("{rel} {}: {gap}", resource.logical_id));
            }
        }
    }
    eprintln!(
        "state machines: {complete} read completely, {incomplete} in the template but not \
         completely, {elsewhere} outside the template; {tasks} task states"
    );
    for (kind, count) in &reasons {
        eprintln!("  {count:4} {kind}, e.g. {}", examples[kind]);
    }
    assert!(complete > 100, "only {complete} state machines read");
    assert!(tasks > 100, "only {tasks} task states");
    // Every incomplete one in the corpus is a test case of a broken template (a definition
    // without `States`, a `DefinitionString` that is a mapping); allow a few more.
    assert!(
        incomplete * 10 < complete,
        "{complete} complete, {incomplete} not"
    );
}
