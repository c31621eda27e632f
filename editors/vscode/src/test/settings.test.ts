// Unit tests of the settings logic, under plain node (`node --test`), without VS Code.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  DEFAULTS,
  documentSelector,
  KINDS,
  needsRestart,
  readSettings,
  resolvePath,
  serverCommand,
  serverSettings,
} from "../settings";

const getter = (values: Record<string, unknown>) => (key: string) => values[key];
const WS = "/home/u/policies";
const REPO = path.join(__dirname, "..", "..", "..", "..");

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
        language: "en",
        filePatterns: ["*.policy"],
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      path: "/opt/kiyaku/bin/kiyaku",
      catalogs: ["catalogs/extra.toml"],
      kinds: { "contracts/**": "consignment-contract", "規程/*.txt": "regulation" },
      language: "en",
      filePatterns: ["*.policy"],
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
      }),
    );
    assert.equal(settings.path, "kiyaku");
    assert.deepEqual(settings.catalogs, []);
    assert.deepEqual(settings.kinds, { "b/**": "privacy-notice" });
    assert.equal(settings.language, "ja");
    assert.deepEqual(settings.filePatterns, ["**/*.kiyaku"]);
    assert.equal(problems.length, 6, problems.join("\n"));
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
  it("runs `kiyaku lsp` from PATH by default, in the workspace folder", () => {
    assert.deepEqual(serverCommand(DEFAULTS, WS), { command: "kiyaku", args: ["lsp"], options: { cwd: WS } });
    assert.deepEqual(serverCommand(DEFAULTS), { command: "kiyaku", args: ["lsp"] });
  });
  it("resolves a configured path", () => {
    const settings = { ...DEFAULTS, path: "./target/release/kiyaku" };
    assert.equal(serverCommand(settings, WS).command, path.join(WS, "target/release/kiyaku"));
    assert.equal(serverCommand({ ...DEFAULTS, path: "/usr/local/bin/kiyaku" }, WS).command, "/usr/local/bin/kiyaku");
  });
});

describe("serverSettings", () => {
  it("nests everything under `kiyaku`, as the server's apply_settings reads it", () => {
    const settings = {
      ...DEFAULTS,
      language: "en" as const,
      catalogs: ["extra.toml", "/abs/other.toml"],
      kinds: { "contracts/**": "consignment-contract" as const },
      path: "/somewhere/kiyaku",
      filePatterns: ["*.policy"],
    };
    assert.deepEqual(serverSettings(settings, WS), {
      kiyaku: {
        language: "en",
        catalogs: [path.join(WS, "extra.toml"), "/abs/other.toml"],
        kinds: { "contracts/**": "consignment-contract" },
      },
    });
  });

  it("uses the field names of the server's Settings struct (src/lsp.rs)", () => {
    // The server deserialises `kiyaku` into `struct Settings` (camelCase); fields it does
    // not know are ignored silently, so a misspelt name would be a setting without effect.
    const lsp = fs.readFileSync(path.join(REPO, "src", "lsp.rs"), "utf8");
    const struct = /struct Settings \{([^}]*)\}/.exec(lsp);
    assert.ok(struct, "struct Settings not found in src/lsp.rs");
    const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const fields = [...struct[1].matchAll(/^\s*(?:pub\s+)?([a-z_]+)\s*:/gm)].map((m) => camel(m[1]));
    for (const key of Object.keys(serverSettings(DEFAULTS, WS).kiyaku)) {
      assert.ok(fields.includes(key), `the server does not read \`${key}\` (it reads ${fields.join(", ")})`);
    }
  });

  it("knows the server's kinds", () => {
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
