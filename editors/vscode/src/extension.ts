// Starts `cfn-policy-lint lsp` for YAML, JSON and Markdown files and adds the command that
// hover links use to show a rule's documentation.

import { execFile } from "child_process";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("cfn-policy-lint.explain", explain),
    vscode.commands.registerCommand("cfn-policy-lint.restart", restart),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("cfnPolicyLint.path")) {
        await restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/// The binary the settings name (`cfnPolicyLint.path`), `cfn-policy-lint` from PATH by default.
function binary(): string {
  const configured = vscode.workspace.getConfiguration("cfnPolicyLint").get<string>("path");
  return configured && configured.trim() !== "" ? configured : "cfn-policy-lint";
}

async function start(): Promise<void> {
  const serverOptions: ServerOptions = {
    command: binary(),
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const languages = ["yaml", "json", "jsonc", "markdown"];
  const clientOptions: LanguageClientOptions = {
    documentSelector: languages.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    // Hovers on a finding link to the rule's documentation through this extension's command.
    markdown: { isTrusted: { enabledCommands: ["cfn-policy-lint.explain"] } },
  };
  client = new LanguageClient("cfnPolicyLint", "cfn-policy-lint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const action = await vscode.window.showErrorMessage(
      `cfn-policy-lint: could not start \`${binary()} lsp\` (${String(error)}). ` +
        "Install cfn-policy-lint, or set cfnPolicyLint.path to the binary.",
      "Open settings",
    );
    if (action === "Open settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "cfnPolicyLint.path");
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

/// Show `cfn-policy-lint explain RULE` as a Markdown document. Hover links pass the rule; from
/// the command palette it is asked for.
async function explain(rule?: string): Promise<void> {
  const name =
    typeof rule === "string"
      ? rule
      : await vscode.window.showInputBox({ prompt: "Rule name or code", placeHolder: "unknown-action" });
  if (!name) {
    return;
  }
  execFile(binary(), ["explain", name], async (error, stdout, stderr) => {
    if (error) {
      await vscode.window.showErrorMessage(`cfn-policy-lint explain ${name}: ${stderr || error.message}`);
      return;
    }
    const document = await vscode.workspace.openTextDocument({ content: stdout, language: "markdown" });
    await vscode.window.showTextDocument(document, { preview: true });
  });
}
