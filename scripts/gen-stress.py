#!/usr/bin/env python3
"""Generate inputs for scale checks (nothing generated is committed).

  gen-stress.py template OUT.yaml
      One template at CloudFormation's limits: 500 resources, 200 parameters, a body of about
      1 MB (the S3-uploaded limit is 1,048,576 bytes), inline policies of about 6,144 characters
      (the inline role policy limit is 10,240; a managed policy's is 6,144).
  gen-stress.py repo DIR N
      A synthetic repository of N templates in DIR/part-XX/ (1,000 per part), shaped like the
      shared corpus: roles with policies, buckets, functions, `!Sub`/`!GetAtt`, comments; one
      in ten has a mistake (an undefined reference or a misspelt action).
Deterministic: the same arguments give the same bytes.
"""
import os
import random
import sys

SERVICES = ["s3", "ec2", "ssm", "logs", "sqs", "sns", "dynamodb", "kms", "lambda", "ecr"]
VERBS = ["Get", "Put", "List", "Describe", "Create", "Delete", "Update", "Tag"]
NOUNS = ["Object", "Bucket", "Parameter", "LogEvents", "Queue", "Topic", "Item", "Key", "Function", "Image"]


def statement(rng, i, indent):
    pad = " " * indent
    actions = sorted({f"{rng.choice(SERVICES)}:{rng.choice(VERBS)}{rng.choice(NOUNS)}" for _ in range(6)})
    lines = [f"{pad}- Sid: Statement{i}", f"{pad}  Effect: Allow", f"{pad}  Action:"]
    lines += [f"{pad}    - {a}" for a in actions]
    lines += [
        f"{pad}  Resource:",
        f"{pad}    - !Sub 'arn:${{AWS::Partition}}:s3:::${{BucketName}}-{i}/*'",
        f"{pad}    - !Sub 'arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/app/{i}/*'",
        f"{pad}  Condition:",
        f"{pad}    StringEquals:",
        f"{pad}      aws:RequestedRegion: !Ref AWS::Region",
    ]
    return "\n".join(lines) + "\n"


def policy(rng, size, indent):
    """Statements until the policy text reaches `size` characters."""
    out, i = "", 0
    while len(out) < size:
        out += statement(rng, i, indent)
        i += 1
    return out


def stress_template():
    rng = random.Random(6144)
    parts = ["AWSTemplateFormatVersion: '2010-09-09'\nDescription: stress template at CloudFormation's limits\n"]
    parts.append("Parameters:\n  BucketName:\n    Type: String\n    Default: stress\n")
    for p in range(199):
        parts.append(f"  Param{p}:\n    Type: String\n    Default: value-{p}\n    Description: parameter number {p}\n")
    parts.append("Resources:\n")
    roles = 145
    for r in range(roles):
        parts.append(
            f"  Role{r}:\n    Type: AWS::IAM::Role\n    Properties:\n"
            f"      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
            f"          - Effect: Allow\n            Principal: {{Service: lambda.amazonaws.com}}\n"
            f"            Action: sts:AssumeRole\n"
            f"      Policies:\n        - PolicyName: !Sub '${{AWS::StackName}}-{r}'\n"
            f"          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n"
            + policy(rng, 6144, 14)
        )
    for b in range(500 - roles):
        parts.append(
            f"  Queue{b}:\n    Type: AWS::SQS::Queue\n    Properties:\n"
            f"      QueueName: !Sub '${{AWS::StackName}}-{b}-${{Param{b % 199}}}'\n"
        )
    parts.append("Outputs:\n")
    for o in range(60):
        parts.append(f"  Role{o}Arn:\n    Value: !GetAtt Role{o}.Arn\n")
    return "".join(parts)


def repo_template(rng, n):
    broken = n % 10 == 3
    roles = rng.randint(1, 4)
    t = [f"AWSTemplateFormatVersion: '2010-09-09'\nDescription: synthetic template {n}\n"]
    t.append("Parameters:\n  Env:\n    Type: String\n    AllowedValues: [dev, prod]\n  BucketName:\n    Type: String\n")
    t.append("Resources:\n")
    for r in range(roles):
        t.append(
            f"  # worker role {r}\n  Role{r}:\n    Type: AWS::IAM::Role\n    Properties:\n"
            f"      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
            f"          - Effect: Allow\n            Principal: {{Service: [lambda.amazonaws.com]}}\n"
            f"            Action: sts:AssumeRole\n"
            f"      Policies:\n        - PolicyName: !Sub '${{AWS::StackName}}-{r}'\n"
            f"          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n"
            + policy(rng, rng.randint(300, 1500), 14)
        )
        t.append(
            f"  Function{r}:\n    Type: AWS::Lambda::Function\n    Properties:\n"
            f"      Runtime: python3.12\n      Handler: index.handler\n      Role: !GetAtt Role{r}.Arn\n"
            f"      Code:\n        ZipFile: |\n          def handler(event, context):\n              return {r}\n"
            f"      Environment:\n        Variables:\n          BUCKET: !Ref Bucket\n"
        )
    missing = "Bukcet" if broken else "Bucket"
    t.append(
        "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      BucketName: !Sub '${BucketName}-${Env}'\n"
        f"Outputs:\n  BucketArn:\n    Value: !GetAtt {missing}.Arn\n"
    )
    return "".join(t)


def repo(directory, count):
    rng = random.Random(count)
    for n in range(count):
        part = os.path.join(directory, f"part-{n // 1000:02d}")
        os.makedirs(part, exist_ok=True)
        with open(os.path.join(part, f"t{n:05d}.yaml"), "w", encoding="utf-8") as f:
            f.write(repo_template(rng, n))


def main(argv):
    if len(argv) == 3 and argv[1] == "template":
        with open(argv[2], "w", encoding="utf-8") as f:
            f.write(stress_template())
    elif len(argv) == 4 and argv[1] == "repo":
        repo(argv[2], int(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
