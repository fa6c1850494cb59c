//! The catalogue's text format (`rules/iam/catalog.tsv`, described in `rules/README.md`). The
//! header, global keys and service records are indexed when a catalogue is loaded; a service's
//! `K`/`R`/`A` records are read when it is first used, or all at once by validation, which turns
//! a bad record into a file line for `--iam-data`. Apart from the model because the format
//! follows the generator script, while the lookups do not change with it.

use super::{
    cmp_ignore_case, AccessLevel, Action, Catalog, ConditionKey, Origin, ResourceSlot,
    ResourceType, Service, ServiceBody,
};
use std::path::Path;
use std::sync::OnceLock;

const FORMAT_HEADER: &str = "#cfn-policy-lint iam-catalog 1";

impl Catalog {
    /// Load a catalogue in the same format (for `--iam-data FILE`), validating every record.
    pub fn from_file(path: &Path) -> Result<Catalog, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read IAM catalogue {}: {e}", path.display()))?;
        Catalog::parse_owned(text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parse and fully validate catalogue text that is not `'static`; the text is kept for the
    /// rest of the process.
    pub fn parse_owned(text: String) -> Result<Catalog, String> {
        // Check cheaply before leaking, so a wrong file costs no memory.
        if !text.starts_with(FORMAT_HEADER) {
            return Err(format!(
                "not an IAM catalogue (expected first line `{FORMAT_HEADER}`)"
            ));
        }
        let catalog = Catalog::parse(Box::leak(text.into_boxed_str()))?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Parse every service's records now, reporting the first malformed one with its line.
    pub fn validate(&self) -> Result<(), String> {
        for service in &self.services {
            if let Err((offset, message)) = service.check() {
                let line = self.line_at(offset, &message);
                let message = message
                    .split_once(": ")
                    .map_or(message.as_str(), |(_, m)| m);
                return Err(format!("line {line}: {message}"));
            }
        }
        Ok(())
    }

    fn line_at(&self, records_offset: usize, message: &str) -> usize {
        // Record errors carry their line within the service as "record N: …".
        let within = message
            .strip_prefix("record ")
            .and_then(|m| m.split(':').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(1);
        let before = self.text.get(..records_offset).unwrap_or_default();
        before.matches('\n').count() + within
    }

    /// Index catalogue text (see `rules/README.md` for the format): header, global keys and the
    /// service records are read now; each service's own records when it is first used (call
    /// [`Catalog::validate`] to check them all at once).
    pub fn parse(text: &'static str) -> Result<Catalog, String> {
        let mut rest = match text.split_once('\n') {
            Some((first, rest)) if first.trim_end() == FORMAT_HEADER => rest,
            None if text.trim_end() == FORMAT_HEADER => "",
            _ => {
                return Err(format!(
                    "not an IAM catalogue (expected first line `{FORMAT_HEADER}`)"
                ))
            }
        };
        let mut catalog = Catalog {
            text,
            stamp: Vec::new(),
            global_condition_keys: Vec::new(),
            services: Vec::with_capacity(480),
        };
        while !rest.is_empty() {
            let line_offset = text.len() - rest.len();
            let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
            rest = after;
            let line = line.strip_suffix('\r').unwrap_or(line);
            // Line numbers are only needed on error, so they are counted only then.
            let at = |e: String| {
                format!(
                    "line {}: {e}",
                    text[..line_offset].matches('\n').count() + 1
                )
            };
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                catalog.stamp.push(comment);
                continue;
            }
            let mut fields = line.split('\t');
            let kind = fields.next().unwrap_or_default();
            let mut field = |what: &str| {
                fields
                    .next()
                    .ok_or_else(|| at(format!("`{kind}` record lacks its {what} field")))
            };
            match kind {
                "G" => {
                    let name = field("key")?;
                    let value_type = field("type")?;
                    catalog.global_condition_keys.push(ConditionKey {
                        name,
                        value_type,
                        declared: true,
                    });
                }
                "S" => {
                    let prefix = field("prefix")?;
                    let name = field("name")?;
                    let origin = parse_origin(field("origin")?).map_err(at)?;
                    if prefix.is_empty() {
                        return Err(at("empty service prefix".into()));
                    }
                    // The service's records run up to the next service record.
                    let end = if rest.starts_with("S\t") {
                        0
                    } else {
                        // SIMD search: this scan over the whole file is most of the load.
                        memchr::memmem::find(rest.as_bytes(), b"\nS\t")
                            .map_or(rest.len(), |i| i + 1)
                    };
                    let (records, after) = rest.split_at(end);
                    let records_offset = text.len() - rest.len();
                    rest = after;
                    catalog.services.push(Service {
                        prefix,
                        name,
                        origin,
                        records,
                        records_offset,
                        body: OnceLock::new(),
                    });
                }
                "K" | "R" | "A" => {
                    return Err(at(format!("`{kind}` record before the first `S` record")))
                }
                other => return Err(at(format!("unknown record kind `{other}`"))),
            }
        }
        // Cheap when already sorted (as generated); makes hand-edited files work too.
        catalog
            .services
            .sort_by(|a, b| cmp_ignore_case(a.prefix, b.prefix));
        Ok(catalog)
    }
}

/// Parse the `K`/`R`/`A` records of one service. Errors say "record N: …" with N the line
/// within `records` (1-based), which [`Catalog::validate`] turns into a file line.
pub(super) fn parse_records(records: &'static str) -> Result<ServiceBody, String> {
    let mut body = ServiceBody::default();
    for (index, line) in records.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        parse_record(&mut body, line).map_err(|e| format!("record {}: {e}", index + 1))?;
    }
    body.actions.sort_by(|a, b| cmp_ignore_case(a.name, b.name));
    Ok(body)
}

fn parse_record(service: &mut ServiceBody, line: &'static str) -> Result<(), String> {
    let mut fields = line.split('\t');
    let kind = fields.next().unwrap_or_default();
    let mut field = |what: &str| {
        fields
            .next()
            .ok_or_else(|| format!("`{kind}` record lacks its {what} field"))
    };
    match kind {
        "K" => {
            let name = field("key")?;
            let value_type = field("type")?;
            let declared = field("declared")? == "1";
            service.condition_keys.push(ConditionKey {
                name,
                value_type,
                declared,
            });
        }
        "R" => {
            let name = field("name")?;
            let origin = parse_origin(field("origin")?)?;
            let arns = field("ARN formats")?;
            let keys = field("condition keys")?;
            let condition_keys =
                parse_indexes(keys, service.condition_keys.len(), "condition key")?;
            service.resource_types.push(ResourceType {
                name,
                origin,
                arn_formats: arns.split('|').filter(|a| !a.is_empty()).collect(),
                condition_keys,
                compiled: std::sync::OnceLock::new(),
            });
        }
        "A" => {
            let name = field("name")?;
            let level = field("access level")?;
            let access_level = AccessLevel::from_code(level)
                .ok_or_else(|| format!("unknown access level `{level}`"))?;
            let origin = parse_origin(field("origin")?)?;
            let resources = field("resources")?;
            let keys = field("condition keys")?;
            let deps = field("dependent actions")?;
            if name.is_empty() {
                return Err("empty action name".into());
            }
            let start = pool_len(service.resource_pool.len())?;
            for item in resources.split(',').filter(|s| !s.is_empty()) {
                let (index, required) = match item.strip_suffix('!') {
                    Some(index) => (index, true),
                    None => (item, false),
                };
                let index = parse_index(index, service.resource_types.len(), "resource type")?;
                service.resource_pool.push(ResourceSlot { index, required });
            }
            let resources = start..pool_len(service.resource_pool.len())?;
            let start = pool_len(service.key_pool.len())?;
            for item in keys.split(',').filter(|s| !s.is_empty()) {
                let index = parse_index(item, service.condition_keys.len(), "condition key")?;
                service.key_pool.push(index);
            }
            let condition_keys = start..pool_len(service.key_pool.len())?;
            let start = pool_len(service.dependent_pool.len())?;
            service
                .dependent_pool
                .extend(deps.split(',').filter(|s| !s.is_empty()));
            let dependent_actions = start..pool_len(service.dependent_pool.len())?;
            service.actions.push(Action {
                name,
                access_level,
                origin,
                resources,
                condition_keys,
                dependent_actions,
            });
        }
        "S" | "G" => return Err(format!("`{kind}` record inside a service")),
        other => return Err(format!("unknown record kind `{other}`")),
    }
    Ok(())
}

fn pool_len(len: usize) -> Result<u32, String> {
    u32::try_from(len).map_err(|_| "catalogue too large".to_string())
}

fn parse_origin(code: &str) -> Result<Origin, String> {
    Origin::from_code(code).ok_or_else(|| format!("unknown origin `{code}`"))
}

fn parse_index(text: &str, bound: usize, what: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|&i| usize::from(i) < bound)
        .ok_or_else(|| format!("bad {what} index `{text}`"))
}

fn parse_indexes(text: &str, bound: usize, what: &str) -> Result<Vec<u16>, String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| parse_index(s, bound, what))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::SMALL;
    use super::*;

    #[test]
    fn parses_a_small_catalogue_and_sorts_it() {
        let c = Catalog::parse(SMALL).unwrap();
        assert_eq!(c.stamp(), ["source test"]);
        assert_eq!(c.services()[0].prefix, "aa");
        let zz = c.service("ZZ").unwrap();
        assert_eq!(
            zz.actions().map(|a| a.name()).collect::<Vec<_>>(),
            ["GetThing", "PutThing"]
        );
        let put = c.lookup("zz:putthing").unwrap();
        assert_eq!(put.access_level(), AccessLevel::Write);
        let res: Vec<_> = put.resource_types().map(|(r, req)| (r.name, req)).collect();
        assert_eq!(res, [("thing", true)]);
        assert_eq!(put.condition_keys().next().unwrap().name, "zz:Flavour");
        assert_eq!(put.dependent_actions(), ["zz:GetThing"]);
        let thing = zz.resource_type("THING").unwrap();
        let keys: Vec<_> = zz.resource_condition_keys(thing).map(|k| k.name).collect();
        assert_eq!(keys, ["aws:ResourceTag/${TagKey}"]);
        assert_eq!(c.lookup("aa:ListAll").unwrap().origin(), Origin::Partial);
    }

    #[test]
    fn rejects_malformed_records_with_line_numbers() {
        let checked = |text: &str| {
            Catalog::parse_owned(text.to_string())
                .map(|c| c.action_count())
                .unwrap_err()
        };
        let bad = SMALL.replace("\t0!\t0\tzz", "\t7!\t0\tzz");
        // Indexing alone does not look inside services; validation does.
        assert!(Catalog::parse(Box::leak(bad.clone().into_boxed_str())).is_ok());
        assert_eq!(checked(&bad), "line 8: bad resource type index `7`");
        assert!(checked("hello").starts_with("not an IAM catalogue"));
        let err = checked("#cfn-policy-lint iam-catalog 1\nA\tX\tW\ti\t\t\t\n");
        assert_eq!(err, "line 2: `A` record before the first `S` record");
        let err = checked("#cfn-policy-lint iam-catalog 1\n#c\nS\tx\tX\ti\nA\tX\tQ\ti\t\t\t\n");
        assert_eq!(err, "line 4: unknown access level `Q`");
        let err = checked("#cfn-policy-lint iam-catalog 1\nS\tx\tX\ti\nS\ty\tY\n");
        assert_eq!(err, "line 3: `S` record lacks its origin field");
    }
}
