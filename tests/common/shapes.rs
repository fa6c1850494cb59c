//! Input shapes that put the parser, the indentation doctor and the rules in unusual states.
//!
//! Shared by `tests/proptest_pipeline.rs` (the pipeline never panics on them) and
//! `benches/growth.rs` (the pipeline's time grows linearly with them), so that the benchmark
//! times exactly what the property test feeds.

/// Pieces that, concatenated at random, make YAML-shaped token soup.
pub const TOKENS: &[&str] = &[
    "\n",
    "\n",
    "\n",
    "  ",
    "  ",
    "    ",
    "\t",
    " ",
    "- ",
    "? ",
    ": ",
    ":",
    ",",
    "[",
    "]",
    "{",
    "}",
    "#c",
    "'",
    "\"",
    "|",
    ">-",
    "&a ",
    "*a",
    "!Ref ",
    "!Sub ",
    "!GetAtt ",
    "!If ",
    "!Join ",
    "Fn::Sub",
    "${",
    "}",
    "${AWS::Region}",
    "${X.Arn}",
    "Resources",
    "Parameters",
    "Outputs",
    "Conditions",
    "Type",
    "AWS::IAM::Role",
    "Properties",
    "PolicyDocument",
    "Statement",
    "Effect",
    "Allow",
    "Action",
    "s3:GetObject",
    "Resource",
    "*",
    "Version",
    "2012-10-17",
    "AWSTemplateFormatVersion",
    "Condition",
    "Value",
    "---",
    "...",
    "%YAML 1.2\n",
    "é",
    "\u{FEFF}",
    "\r\n",
    "\\",
    "0x1F",
    "~",
    "null",
    "yes",
    "<<",
    "=",
];

/// One role with an inline policy; `{}` is replaced by a number to make the logical id unique.
const ROLE: &str = "  Role{}:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: !Sub '${AWS::StackName}-p'
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:ListBucket]
                Resource: !Sub '${Bucket.Arn}/*'
";

/// Snippets that, repeated, make a file that is hard in one particular way: `(name, snippet)`.
pub fn pathological() -> Vec<(&'static str, String)> {
    let roles: String = (0..50)
        .map(|i| ROLE.replace("{}", &i.to_string()))
        .collect();
    vec![
        ("template", format!("Resources:\n{roles}")),
        // Tabs send every file through the indentation doctor and its repair.
        (
            "tab_indented",
            format!("Resources:\n{}", roles.replace("    ", "\t")),
        ),
        ("duplicate_keys", "  Same: 1\n".to_string()),
        ("unclosed_flow", "a: [b, {c: d, ".to_string()),
        ("aliases", "a: &x [1]\nb: *x\n".to_string()),
        (
            "undefined_refs",
            "  - !Ref Nope\n  - !Sub '${A}${B}${C}'\n".to_string(),
        ),
        ("long_sub", "${AWS::Region}-${Missing}-".to_string()),
        ("comments", "# comment : [ { \n".to_string()),
        ("shrunk_soup", SHRUNK_SOUP.to_string()),
    ]
}

/// A token soup on which the old timed property (4× the input in under 16× the time) once
/// failed, as proptest shrank it (`tests/proptest_pipeline.proptest-regressions`).
pub const SHRUNK_SOUP: &str = "Value\nAllow~Outputs2012-10-17s3:GetObject- \nOutputs!GetAtt Resource!If !Ref &a Resource\n---\r\nResource}*ActionEffect\r\n{ActionType\\%YAML 1.2\nAllowOutputs\\[!Sub Conditions0x1F&a s3:GetObject,Action|\n!Ref     !Ref Allow]\"]\tValueActionConditionPolicyDocument  Parameters<<ConditionValue\u{feff}: >-|\u{feff}%YAML 1.2\n    ,%YAML 1.2\n%YAML 1.2\n<<- ~{:!Sub :]': !Ref [Parameters  2012-10-17  OutputséResource!Join Statement#cActionEffect}\u{feff}null:AWS::IAM::RoleéAllow  AWS::IAM::Role!If \r\n!Join   #cAWS::IAM::RoleResourcenull&a :!If : Conditions<<\u{feff}PolicyDocumentAWSTemplateFormatVersion...}&a \t!Sub ParametersAllow...---,\"- !Ref <<!GetAtt !GetAtt  ${X.Arn}PropertiesResource!Join \tyes!Join ]{yesyesAction 'AWS::IAM::Role]!If AWS::IAM::RoleAWSTemplateFormatVersion&a ResourceParameters  \n%YAML 1.2\n*a<<=#c%YAML 1.2\n2012-10-17|}!Ref }nullPolicyDocument? Allow\r\n${Parameters>-Fn::Subyes'<<Statementnull  ...'!GetAtt {    >-!Join \n}${X.Arn}\\,\nType&a ResourcesResourcesAWS::IAM::RoleValueResource\r\n\u{feff}{!GetAtt Action<<AWS::IAM::Role";

/// A token soup of `tokens` pieces picked by a fixed xorshift sequence from `seed`: the same
/// kind of input as the property test's random ones, but the same on every run, so that a
/// benchmark can compare runs.
pub fn soup(seed: u64, tokens: usize) -> String {
    let mut state = seed.max(1);
    (0..tokens)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            TOKENS[(state % TOKENS.len() as u64) as usize]
        })
        .collect()
}

/// `snippet` repeated until the text is at least `bytes` long.
pub fn repeated(snippet: &str, bytes: usize) -> String {
    snippet.repeat(bytes.div_ceil(snippet.len().max(1)))
}
