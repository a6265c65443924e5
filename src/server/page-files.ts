// @ts-nocheck: a file import yields the file's path, which TypeScript cannot type for .js files.
/**
 * Every file of public/, imported `with { type: "file" }` so a compiled
 * executable embeds it (from source these are plain paths on disk, re-read on
 * each request). tests/http/page-assets.test.ts checks this list against the
 * folder and rewrites it with UPDATE_GOLDEN=1.
 */
import favicon_svg from "../../public/favicon.svg" with { type: "file" };
import index_html from "../../public/index.html" with { type: "file" };
import js_activity_js from "../../public/js/activity.js" with { type: "file" };
import js_api_js from "../../public/js/api.js" with { type: "file" };
import js_chips_js from "../../public/js/chips.js" with { type: "file" };
import js_dom_js from "../../public/js/dom.js" with { type: "file" };
import js_explorer_js from "../../public/js/explorer.js" with { type: "file" };
import js_export_js from "../../public/js/export.js" with { type: "file" };
import js_gradient_js from "../../public/js/gradient.js" with { type: "file" };
import js_heatmap_js from "../../public/js/heatmap.js" with { type: "file" };
import js_help_js from "../../public/js/help.js" with { type: "file" };
import js_list_js from "../../public/js/list.js" with { type: "file" };
import js_main_js from "../../public/js/main.js" with { type: "file" };
import js_near_js from "../../public/js/near.js" with { type: "file" };
import js_notices_js from "../../public/js/notices.js" with { type: "file" };
import js_offline_js from "../../public/js/offline.js" with { type: "file" };
import js_outage_js from "../../public/js/outage.js" with { type: "file" };
import js_panel_js from "../../public/js/panel.js" with { type: "file" };
import js_state_js from "../../public/js/state.js" with { type: "file" };
import js_token_js from "../../public/js/token.js" with { type: "file" };
import js_upload_js from "../../public/js/upload.js" with { type: "file" };
import style_css from "../../public/style.css" with { type: "file" };

/** Path below /static/ (index.html is also /) → embedded path. */
export const PAGE_FILES: Readonly<Record<string, string>> = {
  "favicon.svg": favicon_svg,
  "index.html": index_html,
  "js/activity.js": js_activity_js,
  "js/api.js": js_api_js,
  "js/chips.js": js_chips_js,
  "js/dom.js": js_dom_js,
  "js/explorer.js": js_explorer_js,
  "js/export.js": js_export_js,
  "js/gradient.js": js_gradient_js,
  "js/heatmap.js": js_heatmap_js,
  "js/help.js": js_help_js,
  "js/list.js": js_list_js,
  "js/main.js": js_main_js,
  "js/near.js": js_near_js,
  "js/notices.js": js_notices_js,
  "js/offline.js": js_offline_js,
  "js/outage.js": js_outage_js,
  "js/panel.js": js_panel_js,
  "js/state.js": js_state_js,
  "js/token.js": js_token_js,
  "js/upload.js": js_upload_js,
  "style.css": style_css,
};
