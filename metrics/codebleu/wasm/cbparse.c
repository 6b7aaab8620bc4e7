/*
 * WebAssembly front end to the tree-sitter C runtime for CodeBLEU: parse UTF-8 bytes, as py-tree-sitter
 * does, and return the visible tree flattened in one call.
 *
 * Why: node `tree-sitter` (and web-tree-sitter) always feed the parser UTF-16. Tree-sitter's error
 * recovery charges skipped text per BYTE (lib/src/error_costs.h) against fixed per-recovery costs, so on
 * text that does not parse, UTF-16 input (2 bytes per ASCII character) recovers into different ERROR trees
 * than the UTF-8 input of the Python reference (k4black/codebleu on py-tree-sitter): 168 golden pairs'
 * syntax_match differ with UTF-16, none with UTF-8. Same runtime (node tree-sitter 0.22.4's vendored lib)
 * and grammar sources (tree-sitter-python 0.23.6) as the node packages.
 *
 * cb_parse(src, len, n_out) -> int32 records, CB_FIELDS per visible node in pre-order:
 *   symbol, flags (1 named, 2 missing, 4 extra), field id (0 none), start byte, end byte,
 *   start row, start column (bytes), end row, end column (bytes), parent index (-1 for the root)
 * Field ids are the cursor's (ts_tree_cursor_current_field_id), which is how ts_node_string names fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_python(void);

#define CB_FIELDS 10
#define EXPORT(name) __attribute__((export_name(name)))

static TSParser *parser;
static int32_t *out;
static uint32_t out_len, out_cap;
static int32_t *stack;
static uint32_t stack_len, stack_cap;
static char *sbuf;
static uint32_t sbuf_len, sbuf_cap;

EXPORT("cb_alloc") void *cb_alloc(uint32_t n) { return malloc(n ? n : 1); }
EXPORT("cb_free") void cb_free(void *p) { free(p); }

static int grow(void **buf, uint32_t *cap, uint32_t need, uint32_t size) {
  if (need <= *cap) return 1;
  uint32_t c = *cap ? *cap : 1024;
  while (c < need) c *= 2;
  void *p = realloc(*buf, (size_t)c * size);
  if (!p) return 0;
  *buf = p;
  *cap = c;
  return 1;
}

static TSParser *get_parser(void) {
  if (!parser) {
    parser = ts_parser_new();
    if (!ts_parser_set_language(parser, tree_sitter_python())) return 0;
  }
  return parser;
}

EXPORT("cb_parse") int32_t *cb_parse(const char *src, uint32_t len, uint32_t *n_out) {
  TSParser *p = get_parser();
  if (!p) return 0;
  TSTree *tree = ts_parser_parse_string_encoding(p, NULL, src, len, TSInputEncodingUTF8);
  if (!tree) return 0;
  out_len = 0;
  stack_len = 0;
  TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
  int ok = 1;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&c);
    if (!grow((void **)&out, &out_cap, out_len + CB_FIELDS, sizeof(int32_t))) { ok = 0; break; }
    int32_t *r = out + out_len;
    TSPoint sp = ts_node_start_point(n), ep = ts_node_end_point(n);
    r[0] = ts_node_symbol(n);
    r[1] = (ts_node_is_named(n) ? 1 : 0) | (ts_node_is_missing(n) ? 2 : 0) | (ts_node_is_extra(n) ? 4 : 0);
    r[2] = ts_tree_cursor_current_field_id(&c);
    r[3] = (int32_t)ts_node_start_byte(n);
    r[4] = (int32_t)ts_node_end_byte(n);
    r[5] = (int32_t)sp.row;
    r[6] = (int32_t)sp.column;
    r[7] = (int32_t)ep.row;
    r[8] = (int32_t)ep.column;
    r[9] = stack_len ? stack[stack_len - 1] : -1;
    uint32_t self = out_len / CB_FIELDS;
    out_len += CB_FIELDS;
    if (ts_tree_cursor_goto_first_child(&c)) {
      if (!grow((void **)&stack, &stack_cap, stack_len + 1, sizeof(int32_t))) { ok = 0; break; }
      stack[stack_len++] = (int32_t)self;
      continue;
    }
    int done = 0;
    while (!ts_tree_cursor_goto_next_sibling(&c)) {
      if (!ts_tree_cursor_goto_parent(&c)) { done = 1; break; }
      stack_len--;
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&c);
  ts_tree_delete(tree);
  if (!ok) return 0;
  *n_out = out_len / CB_FIELDS;
  return out;
}

static int append(const char *s) {
  uint32_t l = (uint32_t)strlen(s) + 1;
  if (!grow((void **)&sbuf, &sbuf_cap, sbuf_len + l, 1)) return 0;
  memcpy(sbuf + sbuf_len, s, l);
  sbuf_len += l;
  return 1;
}

/* Tests only: ts_node_string of the root and of every node with children, NUL-separated. */
EXPORT("cb_node_strings") char *cb_node_strings(const char *src, uint32_t len, uint32_t *bytes_out) {
  TSParser *p = get_parser();
  if (!p) return 0;
  TSTree *tree = ts_parser_parse_string_encoding(p, NULL, src, len, TSInputEncodingUTF8);
  if (!tree) return 0;
  sbuf_len = 0;
  TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
  int ok = 1, first = 1;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&c);
    if (first || ts_node_child_count(n) > 0) {
      char *s = ts_node_string(n);
      ok = append(s);
      free(s);
      if (!ok) break;
    }
    first = 0;
    if (ts_tree_cursor_goto_first_child(&c)) continue;
    int done = 0;
    while (!ts_tree_cursor_goto_next_sibling(&c)) {
      if (!ts_tree_cursor_goto_parent(&c)) { done = 1; break; }
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&c);
  ts_tree_delete(tree);
  if (!ok) return 0;
  *bytes_out = sbuf_len;
  return sbuf;
}

EXPORT("cb_symbol_count") uint32_t cb_symbol_count(void) { return ts_language_symbol_count(tree_sitter_python()); }
EXPORT("cb_symbol_name") const char *cb_symbol_name(uint32_t id) { return ts_language_symbol_name(tree_sitter_python(), (TSSymbol)id); }
EXPORT("cb_field_count") uint32_t cb_field_count(void) { return ts_language_field_count(tree_sitter_python()); }
EXPORT("cb_field_name") const char *cb_field_name(uint32_t id) { return ts_language_field_name_for_id(tree_sitter_python(), (TSFieldId)id); }
