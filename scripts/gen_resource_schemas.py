#!/usr/bin/env python3
"""Generate rules/schema/ (the CloudFormation resource schemas) from the pinned cfn-lint package.

Source: the resource provider schemas that PyPI `cfn-lint` ships in `cfnlint/data/schemas/`
(MIT-0): `providers/<region>.json` maps every resource type available in a region to a file of
the deduplicated `resources/` folder, and `providers/sam.json` does the same for the SAM
transform's `AWS::Serverless::*` types (cfn-lint builds those from aws-sam-translator's schema,
Apache-2.0). The version comes from rules/data-inputs.lock (scripts/datainputs.py installs it).

Output, in --schema-dir (default rules/schema):

* `resources.jsonl`: one line per resource type, sorted by type name: the type's schema as
  compact JSON, reduced to what validation and editor help use (the JSON Schema keywords listed
  in KEEP, descriptions shortened to their first sentence), plus `attributes`: every name
  `Fn::GetAtt` accepts, mapped to the JSON pointer of its schema.
* `index.tsv`: the stamp, the region list, then one line per type with the byte offset and
  length of its line in resources.jsonl and the regions that offer it (a hex bit mask over the
  region list; SAM types are available wherever the transform is). The binary reads only this
  index at first use and decodes a type's line when a template names the type.
* `LICENSES/cfn-lint.txt`: the package's licence.

Usage: python3 scripts/gen_resource_schemas.py [--schema-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datainputs  # noqa: E402

PACKAGES = ["cfn-lint"]
DEFAULT_SCHEMA_DIR = os.path.join(datainputs.ROOT, "rules", "schema")
MAGIC = "#cfn-policy-lint resource-schemas 1"

# JSON Schema keywords kept (the rest — handlers, tagging, permissions, insertionOrder,
# createOnlyProperties… — says nothing about what a template may contain).
KEEP = {
    "type", "properties", "additionalProperties", "patternProperties", "required", "enum",
    "const", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minItems", "maxItems", "items", "$ref", "oneOf", "anyOf", "allOf",
    "not", "dependentRequired", "dependentExcluded", "dependencies", "requiredXor",
    "requiredOr", "enumCaseInsensitive", "definitions", "description",
}
# Keywords whose value is a mapping of names (not of keywords).
NAMED = {"properties", "definitions", "patternProperties"}
NAMES_TO_LISTS = {"dependentRequired", "dependentExcluded", "dependencies"}
DESCRIPTION_MAX = 120

# GetAtt facts that readOnlyProperties do not state (from cfn-lint's documentation of GetAtt
# support; types whose every property, also writable ones, can be read with GetAtt, and
# attributes of older types that are not read-only properties).
ALL_PROPERTIES_READABLE = {
    "AWS::Amplify::Branch", "AWS::Amplify::Domain", "AWS::AppSync::DomainName",
    "AWS::AppSync::FunctionConfiguration", "AWS::AppSync::Resolver",
    "AWS::AutoScaling::AutoScalingGroup", "AWS::Backup::BackupSelection",
    "AWS::Backup::BackupVault", "AWS::Backup::LogicallyAirGappedBackupVault",
    "AWS::CodeArtifact::Domain", "AWS::CodeArtifact::Repository",
    "AWS::EC2::CapacityReservation", "AWS::EC2::Instance", "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet", "AWS::EC2::VPC", "AWS::EFS::MountTarget", "AWS::EKS::Nodegroup",
    "AWS::ElastiCache::ReplicationGroup", "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::Events::EventBus", "AWS::EventSchemas::Discoverer", "AWS::EventSchemas::Registry",
    "AWS::EventSchemas::Schema", "AWS::GameLift::GameSessionQueue",
    "AWS::GameLift::MatchmakingConfiguration", "AWS::GameLift::MatchmakingRuleSet",
    "AWS::Grafana::Workspace", "AWS::Greengrass::ConnectorDefinition",
    "AWS::Greengrass::CoreDefinition", "AWS::Greengrass::DeviceDefinition",
    "AWS::Greengrass::FunctionDefinition", "AWS::Greengrass::Group",
    "AWS::Greengrass::LoggerDefinition", "AWS::Greengrass::ResourceDefinition",
    "AWS::Greengrass::SubscriptionDefinition", "AWS::ImageBuilder::Component",
    "AWS::ImageBuilder::ContainerRecipe", "AWS::ImageBuilder::DistributionConfiguration",
    "AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::ImageRecipe",
    "AWS::ImageBuilder::InfrastructureConfiguration", "AWS::ManagedBlockchain::Node",
    "AWS::Neptune::DBCluster", "AWS::RDS::DBInstance", "AWS::RDS::DBParameterGroup",
    "AWS::RedshiftServerless::Workgroup", "AWS::RoboMaker::RobotApplication",
    "AWS::RoboMaker::SimulationApplication", "AWS::Route53Resolver::ResolverRule",
    "AWS::Route53Resolver::ResolverRuleAssociation", "AWS::S3::AccessPoint",
    "AWS::SageMaker::DataQualityJobDefinition", "AWS::SageMaker::ModelBiasJobDefinition",
    "AWS::SageMaker::ModelExplainabilityJobDefinition",
    "AWS::SageMaker::ModelQualityJobDefinition", "AWS::SageMaker::MonitoringSchedule",
    "AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::SSM::Parameter", "AWS::StepFunctions::Activity",
}
EXTRA_ATTRIBUTES = {
    "AWS::AppMesh::GatewayRoute": ["GatewayRouteName", "MeshName", "MeshOwner", "VirtualGatewayName"],
    "AWS::AppMesh::Mesh": ["MeshName"],
    "AWS::AppMesh::Route": ["MeshName", "MeshOwner", "RouteName", "VirtualRouterName"],
    "AWS::AppMesh::VirtualGateway": ["MeshName", "MeshOwner", "VirtualGatewayName"],
    "AWS::AppMesh::VirtualNode": ["MeshName", "MeshOwner", "VirtualNodeName"],
    "AWS::AppMesh::VirtualRouter": ["MeshName", "MeshOwner", "VirtualRouterName"],
    "AWS::AppMesh::VirtualService": ["MeshName", "MeshOwner", "VirtualServiceName"],
    "AWS::AppSync::DataSource": ["Name"],
    "AWS::Cloud9::EnvironmentEC2": ["Name"],
    "AWS::CloudWatch::InsightRule": ["RuleName"],
    "AWS::DocDB::DBCluster": ["Port"],
    "AWS::Greengrass::ConnectorDefinition": ["Name"],
    "AWS::Greengrass::CoreDefinition": ["Name"],
    "AWS::Greengrass::DeviceDefinition": ["Name"],
    "AWS::Greengrass::FunctionDefinition": ["Name"],
    "AWS::Greengrass::Group": ["Name", "RoleArn"],
    "AWS::Greengrass::LoggerDefinition": ["Name"],
    "AWS::Greengrass::ResourceDefinition": ["Name"],
    "AWS::Greengrass::SubscriptionDefinition": ["Name"],
    "AWS::IoT1Click::Device": ["Enabled"],
    "AWS::IoT1Click::Placement": ["PlacementName", "ProjectName"],
    "AWS::IoT1Click::Project": ["ProjectName"],
    "AWS::Kinesis::StreamConsumer": ["ConsumerName", "StreamARN"],
    "AWS::ManagedBlockchain::Member": ["NetworkId"],
    "AWS::MediaConvert::JobTemplate": ["Name"],
    "AWS::MediaConvert::Preset": ["Name"],
    "AWS::MediaConvert::Queue": ["Name"],
    "AWS::MediaLive::Input": ["Destinations", "Sources"],
    "AWS::OpsWorks::Instance": ["AvailabilityZone"],
    "AWS::OpsWorks::UserProfile": ["SshUsername"],
    "AWS::Route53Resolver::ResolverEndpoint": ["Direction", "Name"],
    "AWS::SageMaker::CodeRepository": ["CodeRepositoryName"],
    "AWS::SageMaker::Endpoint": ["EndpointName"],
    "AWS::SageMaker::EndpointConfig": ["EndpointConfigName"],
    "AWS::SageMaker::Model": ["ModelName"],
    "AWS::SageMaker::NotebookInstance": ["NotebookInstanceName"],
    "AWS::SageMaker::NotebookInstanceLifecycleConfig": ["NotebookInstanceLifecycleConfigName"],
    "AWS::SageMaker::Workteam": ["WorkteamName"],
    "AWS::ServiceDiscovery::Service": ["Name"],
    "AWS::Transfer::User": ["ServerId", "UserName"],
}
# Types whose `Outputs.<Name>` attributes are the nested stack's outputs (any name).
OUTPUT_ATTRIBUTES = {"AWS::CloudFormation::Stack", "AWS::Serverless::Application"}

SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]`])\.(\s|$)")


def short_description(text: str) -> str:
    text = " ".join(text.split())
    m = SENTENCE_END.search(text)
    if m:
        text = text[: m.start() + 1]
    if len(text) > DESCRIPTION_MAX:
        cut = text[:DESCRIPTION_MAX].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:") + "…"
    return text


def reduce(node):
    """The schema `node` with only the KEEP keywords."""
    if isinstance(node, list):
        return [reduce(i) for i in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key not in KEEP:
            continue
        if key == "description":
            if isinstance(value, str) and value.strip():
                out[key] = short_description(value)
        elif key == "definitions" and isinstance(value, dict):
            # A definition's own description repeats the one of the property that uses it.
            out[key] = {name: without_description(reduce(v)) for name, v in value.items()}
        elif key in NAMED and isinstance(value, dict):
            out[key] = {name: reduce(v) for name, v in value.items()}
        elif key in NAMES_TO_LISTS:
            out[key] = value
        else:
            out[key] = reduce(value)
    return out


def without_description(node):
    if isinstance(node, dict):
        node.pop("description", None)
    return node


def resolve(schema: dict, node: dict, depth: int = 0) -> dict:
    while isinstance(node, dict) and "$ref" in node and depth < 32:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target = schema
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node, depth = target, depth + 1
    return node if isinstance(node, dict) else {}


def types_of(node: dict) -> list[str]:
    t = node.get("type")
    return t if isinstance(t, list) else [t] if t else []


def attributes(type_name: str, schema: dict) -> dict[str, str]:
    """Every `Fn::GetAtt` attribute name → the JSON pointer of its schema."""
    attrs: dict[str, str] = {}

    def readable(node: dict, pointer: str, depth: int = 0) -> None:
        node = resolve(schema, node)
        kinds = types_of(node)
        if "object" in kinds and depth < 8:
            for name, sub in node.get("properties", {}).items():
                readable(sub, f"{pointer}/{name}", depth + 1)
        elif "array" in kinds:
            if types_of(resolve(schema, node.get("items", {}))) not in (["object"], ["array"]):
                attrs[".".join(pointer.split("/")[2:])] = pointer
        else:
            attrs[".".join(pointer.split("/")[2:])] = pointer

    if type_name in ALL_PROPERTIES_READABLE:
        for name, sub in schema.get("properties", {}).items():
            readable(sub, f"/properties/{name}")
        return attrs
    for name in EXTRA_ATTRIBUTES.get(type_name, []):
        attrs[name] = f"/properties/{name}"
    if type_name in OUTPUT_ATTRIBUTES:
        return {"Outputs.*": ""}
    for pointer in schema.get("readOnlyProperties", []):
        if pointer.startswith("/properties/"):
            attrs[".".join(pointer.split("/")[2:])] = pointer
    if type_name == "AWS::ServiceCatalog::CloudFormationProvisionedProduct" and "Outputs" in attrs:
        del attrs["Outputs"]
        attrs["Outputs.*"] = ""
    return attrs


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the embedded resource schemas.")
    parser.add_argument("--schema-dir", default=DEFAULT_SCHEMA_DIR, help="output folder (default: rules/schema)")
    parser.add_argument("--iam-dir", help=argparse.SUPPRESS)  # scripts/refresh-data passes it to every generator
    args = parser.parse_args()
    if args.iam_dir and args.schema_dir == DEFAULT_SCHEMA_DIR:
        args.schema_dir = os.path.join(os.path.dirname(os.path.abspath(args.iam_dir)), "schema")
    datainputs.ensure_python_packages(PACKAGES)
    base = os.path.join(datainputs.package_dir("cfnlint"), "data", "schemas")
    providers = os.path.join(base, "providers")
    regions = sorted(f[:-5] for f in os.listdir(providers) if f.endswith(".json") and f != "sam.json")
    if "us-east-1" not in regions:
        raise SystemExit("error: cfn-lint ships no us-east-1 provider list")
    # us-east-1 first: its schema is the one kept when regions differ.
    order = ["us-east-1"] + [r for r in regions if r != "us-east-1"]
    chosen: dict[str, str] = {}
    masks: dict[str, int] = {}
    for region in order:
        with open(os.path.join(providers, region + ".json"), encoding="utf-8") as f:
            listing = json.load(f)
        bit = 1 << regions.index(region)
        for type_name, file in listing.items():
            chosen.setdefault(type_name, file)
            masks[type_name] = masks.get(type_name, 0) | bit
    with open(os.path.join(providers, "sam.json"), encoding="utf-8") as f:
        for type_name, file in json.load(f).items():
            chosen.setdefault(type_name, file)
            masks[type_name] = (1 << len(regions)) - 1
    os.makedirs(args.schema_dir, exist_ok=True)
    blob = bytearray()
    index_lines = []
    for type_name in sorted(chosen):
        with open(os.path.join(base, "resources", chosen[type_name] + ".json"), encoding="utf-8") as f:
            schema = json.load(f)
        reduced = reduce(schema)
        reduced.pop("definitions", None) if not reduced.get("definitions") else None
        reduced["typeName"] = type_name
        reduced["attributes"] = attributes(type_name, schema)
        line = json.dumps(reduced, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")
        index_lines.append(f"{type_name}\t{len(blob)}\t{len(line)}\t{masks[type_name]:x}")
        blob += line + b"\n"
    version = datainputs.installed_version("cfn-lint")
    stamp = [
        MAGIC,
        f"#generated {datainputs.today()} by scripts/gen_resource_schemas.py",
        f"#source PyPI cfn-lint {version} (cfnlint/data/schemas, MIT-0); AWS::Serverless::* from aws-sam-translator's schema as cfn-lint ships it (Apache-2.0)",
        "#regions " + " ".join(regions),
        "#type\toffset\tlength\tregions",
    ]
    with open(os.path.join(args.schema_dir, "resources.jsonl"), "wb") as f:
        f.write(blob)
    with open(os.path.join(args.schema_dir, "index.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(stamp + index_lines) + "\n")
    licences = os.path.join(args.schema_dir, "LICENSES")
    os.makedirs(licences, exist_ok=True)
    dist = os.path.join(os.path.dirname(datainputs.package_dir("cfnlint")), f"cfn_lint-{version}.dist-info")
    for root, _, files in os.walk(dist):
        for name in files:
            if name.upper().startswith(("LICENSE", "LICENCE")):
                shutil.copyfile(os.path.join(root, name), os.path.join(licences, "cfn-lint.txt"))
    print(f"wrote {datainputs.shown(args.schema_dir)}: {len(chosen)} resource types, {len(blob):,} bytes, {len(regions)} regions")


if __name__ == "__main__":
    main()
