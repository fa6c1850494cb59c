use crate::declare_rule;
use crate::rules::Rule;

declare_rule! {
    /// ## What it does
    /// Reports every line whose block indentation contains a TAB character. Tabs inside JSON and
    /// other flow collections, inside quoted scalars and in block-scalar content (after the
    /// scalar's indentation) are legal and not reported. Consecutive tab-indented lines are
    /// reported together, with every line labelled.
    ///
    /// The indentation doctor finds these even though the file does not parse, and keeps going:
    /// every other rule then runs on the repaired text (tabs expanded to 8-column stops), so one
    /// run shows every problem of the file.
    ///
    /// ## Why it matters
    /// YAML forbids tabs for indentation. CloudFormation rejects the template, and the column
    /// a tab "looks like" depends on the editor, so the structure the author saw is not the one
    /// any parser would build.
    ///
    /// ## Example
    /// ```yaml
    /// Parameters:
    ///   S3Bucket:
    /// →   Type: String        # the indentation is a TAB
    /// ```
    ///
    /// ## Fix
    /// Indent with spaces. Expanding each tab to the next 8-column stop (the usual tab width)
    /// keeps the layout the author saw; the help text names the column each line lands at, and
    /// the attached fix does the expansion.
    /// ```yaml
    /// Parameters:
    ///   S3Bucket:
    ///         Type: String
    /// ```
    pub struct TabIndentation {
        name: "tab-indentation",
        code: "Y002",
        severity: Error,
        family: Yaml,
        stage: Yaml,
        summary: "A line indented with TAB characters, which YAML does not allow",
    }
}

// Its findings are made by `crate::checkers::indentation`.
impl Rule for TabIndentation {}
