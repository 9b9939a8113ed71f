// The tool's version, kept equal to package.json's by test/package.test.ts.
export const TOOL_VERSION = "0.1.0";
