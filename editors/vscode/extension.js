// innoscript for VS Code: starts `innoscript lsp` and hands it the documents.
// Plain CommonJS, no build step: `npm install` in this folder, then
// "Developer: Install Extension from Location..." (or package with vsce).
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

/** @type {import("vscode-languageclient/node").LanguageClient | undefined} */
let client;

// The `innolint` settings without the unset ones: unset means "from the
// configuration files", which the server finds by itself.
/** @returns {Record<string, unknown>} */
function innolintSettings() {
  const config = vscode.workspace.getConfiguration("innolint");
  /** @type {Record<string, unknown>} */
  const result = {};
  for (const key of ["targetVersion", "model", "select", "ignore", "requireReason"]) {
    const value = config.get(key);
    if (value !== null && value !== undefined) {
      result[key] = value;
    }
  }
  return result;
}

// Documents matching `innoscript.filePatterns` become innoscript documents.
/** @param {import("vscode").TextDocument} document */
function adopt(document) {
  /** @type {string[]} */
  const patterns = vscode.workspace.getConfiguration("innoscript").get("filePatterns") || [];
  if (document.languageId === "innoscript" || document.uri.scheme !== "file") {
    return;
  }
  for (const pattern of patterns) {
    if (vscode.languages.match({ pattern }, document) > 0) {
      vscode.languages.setTextDocumentLanguage(document, "innoscript");
      return;
    }
  }
}

/** @param {import("vscode").ExtensionContext} context */
function activate(context) {
  /** @type {string[]} */
  const configured = vscode.workspace.getConfiguration("innoscript").get("server.command") || ["innoscript", "lsp"];
  const [command, ...args] = configured;
  /** @type {import("vscode-languageclient/node").ServerOptions} */
  const serverOptions = { command, args };
  /** @type {import("vscode-languageclient/node").LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "innoscript" },
      { scheme: "untitled", language: "innoscript" },
    ],
    initializationOptions: { innolint: innolintSettings() },
    synchronize: {
      // Edited configuration files reach the server as didChangeWatchedFiles.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{.innolint.toml,pyproject.toml}"),
    },
  };
  client = new LanguageClient("innoscript", "innoscript", serverOptions, clientOptions);
  client.start();

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("innolint") && client) {
        client.sendNotification("workspace/didChangeConfiguration", { settings: { innolint: innolintSettings() } });
      }
    }),
    vscode.workspace.onDidOpenTextDocument(adopt),
  );
  vscode.workspace.textDocuments.forEach(adopt);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
