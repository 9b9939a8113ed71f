// The renderers, in one map: `-o <name>`.
import type { Report } from "../model/finding.js";
import { renderJson } from "./json.js";
import { renderMarkdown } from "./markdown.js";
import { renderText } from "./text.js";
import { COLOR_STYLE, PLAIN_STYLE } from "./style.js";

export interface RenderOptions {
  color: boolean;
}

export const RENDERERS: Readonly<Record<string, (report: Report, options: RenderOptions) => string>> = {
  text: (report, options) => renderText(report, { style: options.color ? COLOR_STYLE : PLAIN_STYLE }),
  json: (report) => renderJson(report),
  markdown: (report) => renderMarkdown(report),
};

export const OUTPUT_FORMATS = Object.keys(RENDERERS);
