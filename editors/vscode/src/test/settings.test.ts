// Unit tests of the settings logic, under plain node (`node --test`), without VS Code.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  DEFAULTS,
  documentSelector,
  findBinary,
  statusText,
  KINDS,
  needsRestart,
  readSettings,
  resolvePath,
  serverCommand,
  serverSettings,
} from "../settings";

const getter = (values: Record<string, unknown>) => (key: string) => values[key];
const WS = "/home/u/policies";
// the kiyaku repository, when this folder is inside it (the tests that read the server's
// sources are skipped when the folder is copied out)
const REPO = path.join(__dirname, "..", "..", "..", "..");
const SERVER_SETTINGS = path.join(REPO, "src", "lsp", "settings.rs");
const IN_REPO = fs.existsSync(SERVER_SETTINGS) && fs.existsSync(path.join(REPO, "src", "kind.rs"));
const inRepo = IN_REPO ? {} : { skip: "not inside the kiyaku repository (its src/ is not beside editors/)" };
// no kiyaku anywhere: lookups are told what exists
const nowhere = { pathVariable: "", home: "/home/u", executable: () => false, windows: false };

describe("readSettings", () => {
  it("gives the defaults for an empty configuration", () => {
    const { settings, problems } = readSettings(getter({}));
    assert.deepEqual(settings, DEFAULTS);
    assert.deepEqual(problems, []);
  });

  it("keeps valid values", () => {
    const { settings, problems } = readSettings(
      getter({
        path: " /opt/kiyaku/bin/kiyaku ",
        catalogs: ["catalogs/extra.toml"],
        kinds: { "contracts/**": "consignment-contract", "規程/*.txt": "regulation" },
        noticesAtAcquisition: ["forms/**"],
        language: "en",
        filePatterns: ["*.policy"],
        enable: true,
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      path: "/opt/kiyaku/bin/kiyaku",
      catalogs: ["catalogs/extra.toml"],
      kinds: { "contracts/**": "consignment-contract", "規程/*.txt": "regulation" },
      noticesAtAcquisition: ["forms/**"],
      language: "en",
      filePatterns: ["*.policy"],
      enable: true,
    });
  });

  it("reports and drops invalid values", () => {
    const { settings, problems } = readSettings(
      getter({
        path: 42,
        catalogs: "extra.toml",
        kinds: { "a/**": "contract", "b/**": "privacy-notice" },
        language: "fr",
        filePatterns: ["", 3, "**/*.kiyaku"],
        enable: "yes",
      }),
    );
    assert.equal(settings.path, "kiyaku");
    assert.deepEqual(settings.catalogs, []);
    assert.deepEqual(settings.kinds, { "b/**": "privacy-notice" });
    assert.equal(settings.language, "");
    assert.deepEqual(settings.filePatterns, ["**/*.kiyaku"]);
    assert.equal(settings.enable, false);
    assert.equal(problems.length, 7, problems.join("\n"));
    assert.ok(problems.some((p) => p.includes("kiyaku.kinds") && p.includes('"contract"')));
    assert.ok(problems.some((p) => p.includes("kiyaku.language")));
  });

  it("treats an array for kinds as a mistake", () => {
    const { settings, problems } = readSettings(getter({ kinds: ["contracts/**"] }));
    assert.deepEqual(settings.kinds, {});
    assert.equal(problems.length, 1);
  });
});

describe("resolvePath", () => {
  it("takes a relative path from the workspace folder", () => {
    assert.equal(resolvePath("catalogs/extra.toml", WS), path.join(WS, "catalogs/extra.toml"));
  });
  it("expands ${workspaceFolder} and ~", () => {
    assert.equal(resolvePath("${workspaceFolder}/x.toml", WS), path.join(WS, "x.toml"));
    assert.equal(resolvePath("~/c.toml", WS, "/home/u"), "/home/u/c.toml");
  });
  it("leaves absolute paths, and relative ones without a workspace", () => {
    assert.equal(resolvePath("/etc/kiyaku/c.toml", WS), "/etc/kiyaku/c.toml");
    assert.equal(resolvePath("c.toml", undefined), "c.toml");
  });
});

describe("serverCommand", () => {
  it("runs `kiyaku lsp` by its name when found nowhere, in the first workspace folder", () => {
    assert.deepEqual(serverCommand(DEFAULTS, [WS], nowhere), {
      command: "kiyaku",
      args: ["lsp"],
      options: { cwd: WS },
    });
    assert.deepEqual(serverCommand(DEFAULTS, [], nowhere), { command: "kiyaku", args: ["lsp"] });
  });
  it("resolves a configured path", () => {
    const settings = { ...DEFAULTS, path: "./target/release/kiyaku" };
    assert.equal(serverCommand(settings, [WS]).command, path.join(WS, "target/release/kiyaku"));
    assert.equal(serverCommand({ ...DEFAULTS, path: "/usr/local/bin/kiyaku" }, [WS]).command, "/usr/local/bin/kiyaku");
  });
  it("finds kiyaku on PATH, else in ~/.cargo/bin, else in a folder's target/release", () => {
    const at = (...present: string[]) => ({ ...nowhere, executable: (f: string) => present.includes(f) });
    const onPath = { ...at("/opt/bin/kiyaku", "/home/u/.cargo/bin/kiyaku"), pathVariable: "/usr/bin:/opt/bin" };
    assert.equal(findBinary("kiyaku", onPath), "/opt/bin/kiyaku");
    assert.equal(findBinary("kiyaku", at("/home/u/.cargo/bin/kiyaku", "/ws/b/target/release/kiyaku")), "/home/u/.cargo/bin/kiyaku");
    const second = { ...at("/ws/b/target/release/kiyaku"), folders: ["/ws/a", "/ws/b"] };
    assert.equal(findBinary("kiyaku", second), "/ws/b/target/release/kiyaku");
    assert.equal(serverCommand(DEFAULTS, ["/ws/a", "/ws/b"], second).command, "/ws/b/target/release/kiyaku");
    // on Windows the file looked for is kiyaku.exe
    const asked: string[] = [];
    findBinary("kiyaku", { ...nowhere, windows: true, executable: (f) => (asked.push(f), false) });
    assert.ok(asked.length > 0 && asked.every((f) => f.endsWith("kiyaku.exe")), asked.join(" "));
  });
  it("finds a real executable on PATH", () => {
    assert.equal(path.basename(findBinary("node", { folders: [] })), "node");
    assert.notEqual(findBinary("node", { folders: [] }), "node");
  });
});

describe("statusText", () => {
  it("shows the kind and the required clauses present over all catalogs", () => {
    const data = {
      kind: "consignment-contract",
      kindName: "委託契約・覚書",
      coverage: [{ catalog: "consignment", present: 10, required: 12 }],
    };
    assert.equal(statusText(data, "ja"), "kiyaku: 委託契約・覚書 · 必須条項 10/12");
    assert.equal(statusText({ ...data, kindName: "consignment-contract" }, "en"), "kiyaku: consignment-contract · required clauses 10/12");
    assert.equal(statusText({ ...data, coverage: [] }, "ja"), "kiyaku: 委託契約・覚書");
    assert.equal(statusText(undefined, "ja"), "kiyaku");
  });
});

describe("serverSettings", () => {
  it("nests everything under `kiyaku`, as the server's apply_settings reads it", () => {
    const settings = {
      ...DEFAULTS,
      language: "en" as const,
      catalogs: ["extra.toml", "/abs/other.toml"],
      kinds: { "contracts/**": "consignment-contract" as const },
      noticesAtAcquisition: ["forms/**"],
      path: "/somewhere/kiyaku",
      filePatterns: ["*.policy"],
    };
    assert.deepEqual(serverSettings(settings, WS), {
      kiyaku: {
        language: "en",
        catalogs: [path.join(WS, "extra.toml"), "/abs/other.toml"],
        kinds: { "contracts/**": "consignment-contract" },
        noticesAtAcquisition: ["forms/**"],
      },
    });
  });

  it("names no language unless one is set, so that kiyaku.toml's decides", () => {
    assert.equal("language" in serverSettings(DEFAULTS, WS).kiyaku, false);
  });

  it("uses the field names of the server's Settings struct (src/lsp/settings.rs)", inRepo, () => {
    // The server deserialises `kiyaku` into `struct Settings` (camelCase); fields it does
    // not know are ignored silently, so a misspelt name would be a setting without effect.
    const lsp = fs.readFileSync(SERVER_SETTINGS, "utf8");
    const struct = /struct Settings \{([^}]*)\}/.exec(lsp);
    assert.ok(struct, "struct Settings not found in src/lsp/settings.rs");
    const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const fields = [...struct[1].matchAll(/^\s*(?:pub(?:\([a-z]+\))?\s+)?([a-z_]+)\s*:/gm)].map((m) => camel(m[1]));
    for (const key of Object.keys(serverSettings({ ...DEFAULTS, language: "ja" }, WS).kiyaku)) {
      assert.ok(fields.includes(key), `the server does not read \`${key}\` (it reads ${fields.join(", ")})`);
    }
  });

  it("knows the server's kinds", inRepo, () => {
    const kinds = fs.readFileSync(path.join(REPO, "src", "kind.rs"), "utf8");
    for (const kind of KINDS) assert.ok(kinds.includes(`"${kind}"`), kind);
  });
});

describe("documentSelector", () => {
  it("selects plain text and Markdown, saved or untitled", () => {
    assert.deepEqual(documentSelector(DEFAULTS), [
      { scheme: "file", language: "plaintext" },
      { scheme: "untitled", language: "plaintext" },
      { scheme: "file", language: "markdown" },
      { scheme: "untitled", language: "markdown" },
    ]);
  });
  it("adds the configured patterns, a bare file pattern in any folder", () => {
    const selector = documentSelector({ ...DEFAULTS, filePatterns: ["*.policy", "docs/**/*.rst"] });
    assert.deepEqual(selector.slice(4), [
      { scheme: "file", pattern: "**/*.policy" },
      { scheme: "file", pattern: "docs/**/*.rst" },
    ]);
  });
});

describe("needsRestart", () => {
  it("restarts for a new binary or new patterns, not for what the server takes live", () => {
    assert.equal(needsRestart(DEFAULTS, { ...DEFAULTS, path: "/x/kiyaku" }), true);
    assert.equal(needsRestart(DEFAULTS, { ...DEFAULTS, filePatterns: ["*.policy"] }), true);
    assert.equal(needsRestart(DEFAULTS, { ...DEFAULTS, language: "en" }), false);
    assert.equal(needsRestart(DEFAULTS, { ...DEFAULTS, catalogs: ["c.toml"] }), false);
    assert.equal(needsRestart(DEFAULTS, { ...DEFAULTS, kinds: { "a/**": "regulation" } }), false);
  });
});
