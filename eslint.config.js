import js from "@eslint/js"
import tseslint from "typescript-eslint"

/** src/hub and src/worker are separate roles: they share code only through src/shared. */
const roleBoundary = (role, other) => ({
  files: [`src/${role}/**/*.ts`],
  rules: {
    "no-restricted-imports": ["error", {
      patterns: [{ group: [`**/${other}/**`, `**/${other}`], message: `src/${role} must not import src/${other}; share through src/shared.` }]
    }]
  }
})

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "oclif.manifest.json"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-empty-object-type": "off"
    }
  },
  roleBoundary("hub", "worker"),
  roleBoundary("worker", "hub"),
  {
    files: ["src/shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{ group: ["**/hub/**", "**/worker/**", "**/cli/**", "**/commands/**"], message: "src/shared is imported by both roles and must not depend on either." }]
      }]
    }
  },
  {
    // the package's index loads every module of it (HTTP server, sockets, multipart, ...): ~30 MiB
    // in each worker and CLI process, which use only the client and the contract
    files: ["src/shared/**/*.ts", "src/worker/**/*.ts", "src/cli/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", {
        paths: [{ name: "@effect/platform", allowTypeImports: true, message: "import its module by path (@effect/platform/HttpClient): the index loads the whole package." }]
      }]
    }
  },
  { files: ["bin/**/*.js", "eslint.config.js"], languageOptions: { globals: { process: "readonly" } } }
)
