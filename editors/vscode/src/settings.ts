// The extension's settings turned into what the language client needs: the server
// command, the initializationOptions / didChangeConfiguration payload and the document
// selector. No `vscode` import here, so that this module is unit-tested under plain node.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const KINDS = ["privacy-notice", "regulation", "consignment-contract"] as const;
export type Kind = (typeof KINDS)[number];
/** "" follows the document's kiyaku.toml (else Japanese) */
export type Language = "" | "ja" | "en";

export interface Settings {
  /** the kiyaku binary: a command name on PATH or a path */
  path: string;
  /** extra catalog files */
  catalogs: string[];
  /** glob (relative to the workspace folder) → document kind */
  kinds: Record<string, Kind>;
  /** globs (relative to the workspace folder) of the notices given where the data are entered */
  noticesAtAcquisition: string[];
  language: Language;
  /** extra glob patterns of documents to check */
  filePatterns: string[];
  /** check plain text and Markdown even in a workspace without kiyaku.toml */
  enable: boolean;
}

export const DEFAULTS: Settings = {
  path: "kiyaku",
  catalogs: [],
  kinds: {},
  noticesAtAcquisition: [],
  language: "",
  filePatterns: [],
  enable: false,
};

/** Reads one setting, as `vscode.WorkspaceConfiguration.get` does (section `kiyaku`). */
export type Getter = (key: string) => unknown;

export interface ReadResult {
  settings: Settings;
  /** human-readable problems with the values; the defaults are used for those */
  problems: string[];
}

function stringList(value: unknown, key: string, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`kiyaku.${key} must be a list of strings`);
    return [];
  }
  const out: string[] = [];
  for (const v of value) {
    if (typeof v === "string" && v.trim() !== "") out.push(v.trim());
    else problems.push(`kiyaku.${key}: ignored ${JSON.stringify(v)} (not a non-empty string)`);
  }
  return out;
}

/** Validates the raw settings; invalid values are reported and replaced by the defaults. */
export function readSettings(get: Getter): ReadResult {
  const problems: string[] = [];
  const settings: Settings = { ...DEFAULTS, catalogs: [], kinds: {}, noticesAtAcquisition: [], filePatterns: [] };

  const p = get("path");
  if (typeof p === "string" && p.trim() !== "") settings.path = p.trim();
  else if (p !== undefined && p !== null && p !== "") problems.push("kiyaku.path must be a string");

  settings.catalogs = stringList(get("catalogs"), "catalogs", problems);
  settings.filePatterns = stringList(get("filePatterns"), "filePatterns", problems);
  settings.noticesAtAcquisition = stringList(get("noticesAtAcquisition"), "noticesAtAcquisition", problems);

  const kinds = get("kinds");
  if (kinds !== undefined && kinds !== null) {
    if (typeof kinds !== "object" || Array.isArray(kinds)) {
      problems.push("kiyaku.kinds must be an object: glob → kind");
    } else {
      for (const [glob, kind] of Object.entries(kinds as Record<string, unknown>)) {
        if ((KINDS as readonly unknown[]).includes(kind)) settings.kinds[glob] = kind as Kind;
        else
          problems.push(
            `kiyaku.kinds: ${JSON.stringify(glob)} → ${JSON.stringify(kind)} ignored (kinds: ${KINDS.join(", ")})`,
          );
      }
    }
  }

  const language = get("language");
  if (language === "ja" || language === "en" || language === "") settings.language = language;
  else if (language !== undefined && language !== null)
    problems.push(`kiyaku.language: ${JSON.stringify(language)} ignored (ja or en)`);

  const enable = get("enable");
  if (typeof enable === "boolean") settings.enable = enable;
  else if (enable !== undefined && enable !== null) problems.push("kiyaku.enable must be true or false");

  return { settings, problems };
}

/** Expands `~` and `${workspaceFolder}`; a relative path is taken from the workspace folder. */
export function resolvePath(p: string, workspaceFolder: string | undefined, home = os.homedir()): string {
  let out = p;
  if (workspaceFolder !== undefined) out = out.split("${workspaceFolder}").join(workspaceFolder);
  if (out === "~") out = home;
  else if (out.startsWith("~/")) out = path.join(home, out.slice(2));
  if (!path.isAbsolute(out) && workspaceFolder !== undefined) out = path.join(workspaceFolder, out);
  return out;
}

export interface ServerCommand {
  command: string;
  args: string[];
  options?: { cwd: string };
}

/** Whether a file exists and may be executed (the lookup's default). */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface Lookup {
  /** the PATH variable */
  pathVariable?: string;
  home?: string;
  /** the workspace folders, searched for a build in target/release */
  folders?: string[];
  executable?: (file: string) => boolean;
  windows?: boolean;
}

/**
 * Where a bare command name is found: on PATH, else where `cargo install` puts it
 * (~/.cargo/bin), else a release build in a workspace folder (target/release). The name
 * itself when none has it, so that the error names what was looked for.
 */
export function findBinary(name: string, lookup: Lookup = {}): string {
  const windows = lookup.windows ?? process.platform === "win32";
  const executable = lookup.executable ?? isExecutable;
  const file = windows && !name.toLowerCase().endsWith(".exe") ? `${name}.exe` : name;
  const pathVariable = lookup.pathVariable ?? process.env.PATH ?? "";
  const separator = windows ? ";" : ":";
  const candidates = pathVariable
    .split(separator)
    .filter((d) => d !== "")
    .map((d) => path.join(d, file));
  candidates.push(path.join(lookup.home ?? os.homedir(), ".cargo", "bin", file));
  for (const folder of lookup.folders ?? []) candidates.push(path.join(folder, "target", "release", file));
  return candidates.find(executable) ?? name;
}

/**
 * `kiyaku lsp` on stdio. A bare command name (no path separator) is looked up on PATH, then
 * in ~/.cargo/bin and the workspace folders' target/release (`findBinary`); anything else
 * is resolved like a catalog path. `folders` are the workspace folders, the first one the
 * server's working folder.
 */
export function serverCommand(settings: Settings, folders: string[] = [], lookup: Lookup = {}): ServerCommand {
  const workspaceFolder = folders[0];
  const bare = !settings.path.includes("/") && !settings.path.includes("\\") && !settings.path.startsWith("~");
  const command = bare
    ? findBinary(settings.path, { folders, ...lookup })
    : resolvePath(settings.path, workspaceFolder);
  const server: ServerCommand = { command, args: ["lsp"] };
  if (workspaceFolder !== undefined) server.options = { cwd: workspaceFolder };
  return server;
}

/** What the server says about a document in its code lens's `data` (src/lsp/code_lens.rs). */
export interface LensData {
  kind: string;
  kindName: string;
  coverage: { catalog: string; present: number; required: number }[];
}

/** The status bar's text for a document: its kind and 必須条項 n/m over its catalogs. */
export function statusText(data: LensData | undefined, language: "ja" | "en"): string {
  if (!data) return "kiyaku";
  const present = data.coverage.reduce((n, c) => n + c.present, 0);
  const required = data.coverage.reduce((n, c) => n + c.required, 0);
  if (required === 0) return `kiyaku: ${data.kindName}`;
  const clauses = language === "en" ? "required clauses" : "必須条項";
  return `kiyaku: ${data.kindName} · ${clauses} ${present}/${required}`;
}

/**
 * What the server reads (src/lsp/settings.rs, `Settings`):
 * `{ kiyaku: { language, catalogs, kinds, noticesAtAcquisition } }`;
 * `language` only when set, so that without it each document's kiyaku.toml decides.
 */
export interface ServerSettings {
  kiyaku: {
    language?: "ja" | "en";
    catalogs: string[];
    kinds: Record<string, Kind>;
    noticesAtAcquisition: string[];
  };
}

/**
 * The payload of both `initializationOptions` and `workspace/didChangeConfiguration`:
 * catalog paths made absolute (resolved here, where the workspace folder is known), kind
 * and notice globs passed as written (the server matches them relative to the workspace root).
 */
export function serverSettings(settings: Settings, workspaceFolder?: string): ServerSettings {
  const out: ServerSettings = {
    kiyaku: {
      catalogs: settings.catalogs.map((c) => resolvePath(c, workspaceFolder)),
      kinds: { ...settings.kinds },
      noticesAtAcquisition: [...settings.noticesAtAcquisition],
    },
  };
  if (settings.language !== "") out.kiyaku.language = settings.language;
  return out;
}

/** A document filter of the language server protocol, without the dependency. */
export type DocumentFilter = { scheme: string; language: string } | { scheme: string; pattern: string };

/**
 * Plain text and Markdown (saved or untitled), plus each configured pattern for saved files.
 * A pattern without a slash, such as `*.policy`, is made to match in any folder.
 */
export function documentSelector(settings: Settings): DocumentFilter[] {
  const selector: DocumentFilter[] = [];
  for (const language of ["plaintext", "markdown"]) {
    for (const scheme of ["file", "untitled"]) selector.push({ scheme, language });
  }
  for (const pattern of settings.filePatterns) {
    selector.push({ scheme: "file", pattern: pattern.includes("/") ? pattern : `**/${pattern}` });
  }
  return selector;
}

/** Whether a settings change needs a new server process (command or selector changed). */
export function needsRestart(before: Settings, after: Settings): boolean {
  return (
    before.path !== after.path ||
    before.enable !== after.enable ||
    JSON.stringify(before.filePatterns) !== JSON.stringify(after.filePatterns)
  );
}
