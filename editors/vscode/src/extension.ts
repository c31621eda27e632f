// kiyaku for VS Code: starts `kiyaku lsp` on stdio through vscode-languageclient in a
// workspace that has a kiyaku.toml (in any of its folders) or where `kiyaku.enable` is set,
// forwards the settings, shows the active document's kind and required clauses in the
// status bar, and restarts on request or when the binary or the file patterns change.

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import {
  documentSelector,
  LensData,
  needsRestart,
  readSettings,
  serverCommand,
  serverSettings,
  Settings,
  statusText,
} from "./settings";

let client: LanguageClient | undefined;
let current: Settings | undefined;
let output: vscode.OutputChannel | undefined;
let status: vscode.StatusBarItem | undefined;

/** The workspace folders on disk; the first is the server's working folder. */
function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === "file")
    .map((f) => f.uri.fsPath);
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

/** Whether the server should run here: a kiyaku.toml in a folder, or kiyaku.enable. */
async function wanted(settings: Settings): Promise<boolean> {
  if (settings.enable) return true;
  const found = await vscode.workspace.findFiles("**/kiyaku.toml", "**/{node_modules,target}/**", 1);
  return found.length > 0;
}

function showState(text: string, tooltip: string): void {
  if (!status) return;
  status.text = text;
  status.tooltip = tooltip;
  status.show();
}

/** The status bar for the active document: the kind and the required clauses present. */
async function refreshStatus(): Promise<void> {
  const running = client;
  if (!running || !status) return;
  if (running.state !== State.Running) return;
  const document = vscode.window.activeTextEditor?.document;
  const language = current?.language === "en" ? "en" : "ja";
  if (!document || vscode.languages.match(documentSelector(current ?? loadSettings(false)), document) === 0) {
    showState("kiyaku", "kiyaku: running");
    return;
  }
  try {
    const lenses = (await running.sendRequest("textDocument/codeLens", {
      textDocument: { uri: document.uri.toString() },
    })) as { data?: LensData }[] | null;
    showState(statusText(lenses?.[0]?.data, language), "kiyaku: running — select to show its output");
  } catch {
    showState("kiyaku", "kiyaku: running");
  }
}

async function start(): Promise<void> {
  const settings = loadSettings();
  const folders = workspaceFolders();
  const command = serverCommand(settings, folders);
  const serverOptions: ServerOptions = { ...command, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    // one server for every folder of a multi-root workspace: each document is checked
    // with the kiyaku.toml above it
    documentSelector: documentSelector(settings),
    initializationOptions: serverSettings(settings, folders[0]),
    outputChannel: output,
  };
  // The id "kiyaku" makes vscode-languageclient honour the `kiyaku.trace.server` setting.
  const next = new LanguageClient("kiyaku", "kiyaku", serverOptions, clientOptions);
  next.onDidChangeState((event) => {
    if (event.newState === State.Starting) showState("$(sync~spin) kiyaku", "kiyaku: starting");
    else if (event.newState === State.Stopped) showState("$(error) kiyaku", "kiyaku: stopped — select to show its output");
    else void refreshStatus();
  });
  current = settings;
  client = next;
  output?.appendLine(`starting ${command.command} lsp`);
  try {
    await next.start();
    await refreshStatus();
  } catch (error) {
    client = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    showState("$(error) kiyaku", `kiyaku: could not start ${command.command} lsp`);
    void vscode.window.showErrorMessage(
      `kiyaku: could not start \`${command.command} lsp\` (${reason}). ` +
        "Install kiyaku (cargo install --locked --path . in its repository, or a release) or set kiyaku.path.",
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
  if (await wanted(loadSettings(false))) await start();
  else status?.hide();
}

async function configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
  if (!event.affectsConfiguration("kiyaku")) return;
  const settings = loadSettings();
  // not started yet (no kiyaku.toml): kiyaku.enable may now ask for it
  if (!current) {
    if (await wanted(settings)) await start();
    return;
  }
  // a server that failed to start (say, a wrong kiyaku.path) is tried again
  if (!client || needsRestart(current, settings)) {
    await restart();
    return;
  }
  current = settings;
  await client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: serverSettings(settings, workspaceFolders()[0]),
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("kiyaku");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = "kiyaku.showOutput";
  const watcher = vscode.workspace.createFileSystemWatcher("**/kiyaku.toml");
  context.subscriptions.push(
    output,
    status,
    watcher,
    vscode.commands.registerCommand("kiyaku.restart", restart),
    vscode.commands.registerCommand("kiyaku.showOutput", () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration(configurationChanged),
    vscode.window.onDidChangeActiveTextEditor(() => void refreshStatus()),
    vscode.languages.onDidChangeDiagnostics(() => void refreshStatus()),
    // a kiyaku.toml created later starts the server
    watcher.onDidCreate(async () => {
      if (!client && !current) await start();
    }),
  );
  if (await wanted(loadSettings(false))) await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}
