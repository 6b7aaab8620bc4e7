/*
 * A minimal N-API addon: parse a string with tree-sitter-python exactly as py-tree-sitter does (UTF-8
 * bytes), and return the visible tree flattened in one call.
 *
 * Why it exists: node-tree-sitter 0.22.4 always feeds the parser UTF-16. Tree-sitter's error recovery
 * weighs candidate trees by their size in BYTES (error_costs.h: ERROR_COST_PER_SKIPPED_CHAR per byte
 * against fixed per-recovery costs), so on broken code UTF-16 input (2 bytes per ASCII character) picks
 * different ERROR trees than the UTF-8 input of the Python reference (k4black/codebleu on py-tree-sitter).
 * Parsing UTF-8 here, with the same tree-sitter core (node-tree-sitter's vendored lib) and the same
 * grammar sources (tree-sitter-python 0.23.6), reproduces the reference trees.
 *
 * parse(code: string) -> Int32Array, NODE_FIELDS ints per visible node in pre-order:
 *   symbol, flags (1 named, 2 missing, 4 extra), field id, start byte, end byte,
 *   start row, start column (bytes), end row, end column (bytes), parent index (-1 for the root)
 * symbols() -> [name, named][] indexed by symbol id; fields() -> names indexed by field id;
 * nodeStrings(code) -> ts_node_string of the root and of every node with children (tests only).
 */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include "tree_sitter/api.h"

const TSLanguage *tree_sitter_python(void);

#define NODE_FIELDS 10

// One parser per thread: `apieval score` parses in worker threads, and a TSParser is not thread-safe.
static _Thread_local TSParser *parser = NULL;

static TSParser *get_parser(void) {
  if (!parser) {
    parser = ts_parser_new();
    ts_parser_set_language(parser, tree_sitter_python());
  }
  return parser;
}

static char *get_utf8(napi_env env, napi_value v, size_t *len) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return NULL;
  char *buf = malloc(n + 1);
  if (!buf) return NULL;
  napi_get_value_string_utf8(env, v, buf, n + 1, &n);
  *len = n;
  return buf;
}

static napi_value throw_error(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static TSTree *parse_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return NULL;
  size_t len = 0;
  char *buf = get_utf8(env, argv[0], &len);
  if (!buf) return NULL;
  TSTree *tree = ts_parser_parse_string_encoding(get_parser(), NULL, buf, (uint32_t)len, TSInputEncodingUTF8);
  free(buf);
  return tree;
}

static napi_value js_parse(napi_env env, napi_callback_info info) {
  TSTree *tree = parse_arg(env, info);
  if (!tree) return throw_error(env, "parse failed (expected one string argument)");
  size_t cap = 1024, n = 0;
  int32_t *out = malloc(cap * NODE_FIELDS * sizeof(int32_t));
  size_t scap = 256, sn = 0;
  int32_t *stack = malloc(scap * sizeof(int32_t));
  TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&c);
    if (n == cap) {
      cap *= 2;
      out = realloc(out, cap * NODE_FIELDS * sizeof(int32_t));
    }
    int32_t *r = out + n * NODE_FIELDS;
    TSPoint sp = ts_node_start_point(node), ep = ts_node_end_point(node);
    r[0] = ts_node_symbol(node);
    r[1] = (ts_node_is_named(node) ? 1 : 0) | (ts_node_is_missing(node) ? 2 : 0) | (ts_node_is_extra(node) ? 4 : 0);
    r[2] = ts_tree_cursor_current_field_id(&c);
    r[3] = (int32_t)ts_node_start_byte(node);
    r[4] = (int32_t)ts_node_end_byte(node);
    r[5] = (int32_t)sp.row;
    r[6] = (int32_t)sp.column;
    r[7] = (int32_t)ep.row;
    r[8] = (int32_t)ep.column;
    r[9] = sn ? stack[sn - 1] : -1;
    n++;
    if (ts_tree_cursor_goto_first_child(&c)) {
      if (sn == scap) {
        scap *= 2;
        stack = realloc(stack, scap * sizeof(int32_t));
      }
      stack[sn++] = (int32_t)(n - 1);
      continue;
    }
    int done = 0;
    while (!ts_tree_cursor_goto_next_sibling(&c)) {
      if (!ts_tree_cursor_goto_parent(&c)) {
        done = 1;
        break;
      }
      sn--;
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&c);
  ts_tree_delete(tree);
  free(stack);
  napi_value ab, arr;
  void *data = NULL;
  size_t bytes = n * NODE_FIELDS * sizeof(int32_t);
  napi_create_arraybuffer(env, bytes, &data, &ab);
  memcpy(data, out, bytes);
  free(out);
  napi_create_typedarray(env, napi_int32_array, n * NODE_FIELDS, ab, 0, &arr);
  return arr;
}

static napi_value js_symbols(napi_env env, napi_callback_info info) {
  (void)info;
  const TSLanguage *lang = tree_sitter_python();
  uint32_t count = ts_language_symbol_count(lang);
  napi_value arr;
  napi_create_array_with_length(env, count, &arr);
  for (uint32_t i = 0; i < count; i++) {
    const char *name = ts_language_symbol_name(lang, (TSSymbol)i);
    napi_value pair, s, b;
    napi_create_array_with_length(env, 2, &pair);
    napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &s);
    napi_get_boolean(env, ts_language_symbol_type(lang, (TSSymbol)i) == TSSymbolTypeRegular, &b);
    napi_set_element(env, pair, 0, s);
    napi_set_element(env, pair, 1, b);
    napi_set_element(env, arr, i, pair);
  }
  return arr;
}

static napi_value js_fields(napi_env env, napi_callback_info info) {
  (void)info;
  const TSLanguage *lang = tree_sitter_python();
  uint32_t count = ts_language_field_count(lang);
  napi_value arr;
  napi_create_array_with_length(env, count + 1, &arr);
  for (uint32_t i = 1; i <= count; i++) {
    const char *name = ts_language_field_name_for_id(lang, (TSFieldId)i);
    napi_value s;
    napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, arr, i, s);
  }
  return arr;
}

static napi_value js_node_strings(napi_env env, napi_callback_info info) {
  TSTree *tree = parse_arg(env, info);
  if (!tree) return throw_error(env, "parse failed (expected one string argument)");
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t k = 0;
  size_t scap = 256, sn = 0;
  TSNode *stack = malloc(scap * sizeof(TSNode));
  stack[sn++] = ts_tree_root_node(tree);
  while (sn) {
    TSNode node = stack[--sn];
    char *s = ts_node_string(node);
    napi_value v;
    napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
    free(s);
    napi_set_element(env, arr, k++, v);
    uint32_t cc = ts_node_child_count(node);
    for (uint32_t i = 0; i < cc; i++) {
      TSNode ch = ts_node_child(node, i);
      if (ts_node_child_count(ch) == 0) continue;
      if (sn == scap) {
        scap *= 2;
        stack = realloc(stack, scap * sizeof(TSNode));
      }
      stack[sn++] = ch;
    }
  }
  free(stack);
  ts_tree_delete(tree);
  return arr;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"parse", NULL, js_parse, NULL, NULL, NULL, napi_default, NULL},
    {"symbols", NULL, js_symbols, NULL, NULL, NULL, napi_default, NULL},
    {"fields", NULL, js_fields, NULL, NULL, NULL, napi_default, NULL},
    {"nodeStrings", NULL, js_node_strings, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
