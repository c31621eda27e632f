// kiyaku for VS Code: starts `kiyaku lsp` on stdio through vscode-languageclient once a
// document the server checks is open, forwards the settings, and restarts on request or
// when the binary or the file patterns change.

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

import {
  documentSelector,
  needsRestart,
  readSettings,
  serverCommand,
  serverSettings,
  Settings,
} from "./settings";

let client: LanguageClient | undefined;
let current: Settings | undefined;
let output: vscode.OutputChannel | undefined;

function workspaceFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined;
}

function loadSettings(report = true): Settings {
  const config = vscode.workspace.getConfiguration("kiyaku");
  const { settings, problems } = readSettings((key) => config.get(key));
  if (!report) return settings;
  for (const problem of problems) output?.appendLine(`settings: ${problem}`);
  if (problems.length > 0) {
    void vscode.window.showWarningMessage(`kiyaku: ${problems[0]}`);
  }
  return settings;
}

function wanted(document: vscode.TextDocument, settings: Settings): boolean {
  return vscode.languages.match(documentSelector(settings), document) > 0;
}

async function start(): Promise<void> {
  const settings = loadSettings();
  const root = workspaceFolder();
  const command = serverCommand(settings, root);
  const serverOptions: ServerOptions = { ...command, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(settings),
    initializationOptions: serverSettings(settings, root),
    outputChannel: output,
  };
  // The id "kiyaku" makes vscode-languageclient honour the `kiyaku.trace.server` setting.
  const next = new LanguageClient("kiyaku", "kiyaku", serverOptions, clientOptions);
  current = settings;
  client = next;
  try {
    await next.start();
  } catch (error) {
    client = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `kiyaku: could not start \`${command.command} lsp\` (${reason}). ` +
        "Install kiyaku (cargo install --path . in its repository, or a release) or set kiyaku.path.",
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch {
      // a server that already exited cannot be stopped twice
    }
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
  // before the first start there is nothing to update: start() reads the settings
  if (!event.affectsConfiguration("kiyaku") || !current) return;
  const settings = loadSettings();
  // a server that failed to start (say, a wrong kiyaku.path) is tried again
  if (!client || needsRestart(current, settings)) {
    await restart();
    return;
  }
  current = settings;
  await client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: serverSettings(settings, workspaceFolder()),
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("kiyaku");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("kiyaku.restart", restart),
    vscode.workspace.onDidChangeConfiguration(configurationChanged),
  );

  // Activation on startup covers documents matched only by kiyaku.filePatterns; the
  // server itself starts with the first document it checks (or with kiyaku.toml present).
  const hasConfig = (await vscode.workspace.findFiles("**/kiyaku.toml", "**/node_modules/**", 1)).length > 0;
  const settings = loadSettings(false);
  if (hasConfig || vscode.workspace.textDocuments.some((d) => wanted(d, settings))) {
    await start();
    return;
  }
  const waiting = vscode.workspace.onDidOpenTextDocument(async (document) => {
    if (!client && wanted(document, loadSettings(false))) {
      waiting.dispose();
      await start();
    }
  });
  context.subscriptions.push(waiting);
}

export async function deactivate(): Promise<void> {
  await stop();
}
