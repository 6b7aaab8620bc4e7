/*
 * A minimal WebAssembly front end to the tree-sitter C runtime that parses UTF-8 input.
 *
 * Why this exists: the node and web bindings of tree-sitter always feed the parser UTF-16, and
 * tree-sitter's error recovery charges skipped text by the BYTE (error_costs.h), so on text that does not
 * parse (Gorilla responses are often prose) UTF-16 input doubles those costs and recovers differently
 * from py-tree-sitter, which parses UTF-8. Gorilla's scripts parse `bytes(candidate, 'utf8')`; to
 * reproduce them the parser must see the same bytes.
 *
 * Output of tsp_parse: a flat pre-order array of uint32 records, 5 per node:
 *   start_byte, end_byte, child_count, symbol, flags (1 named, 2 missing, 4 extra, 8 has_error, 16 error)
 */
#include <stdint.h>
#include <stdlib.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_python(void);

static TSParser *parser;
static uint32_t *out;
static uint32_t out_len, out_cap;

__attribute__((export_name("tsp_alloc"))) void *tsp_alloc(uint32_t n) { return malloc(n ? n : 1); }
__attribute__((export_name("tsp_free"))) void tsp_free(void *p) { free(p); }

static int push(uint32_t v) {
  if (out_len == out_cap) {
    uint32_t cap = out_cap ? out_cap * 2 : 4096;
    uint32_t *p = realloc(out, cap * sizeof(uint32_t));
    if (!p) return 0;
    out = p;
    out_cap = cap;
  }
  out[out_len++] = v;
  return 1;
}

static int emit(TSNode root) {
  /* Iterative pre-order walk with a cursor: deep trees must not overflow the wasm stack. */
  TSTreeCursor c = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&c);
    uint32_t flags = (ts_node_is_named(n) ? 1 : 0) | (ts_node_is_missing(n) ? 2 : 0) | (ts_node_is_extra(n) ? 4 : 0) |
                     (ts_node_has_error(n) ? 8 : 0) | (ts_node_is_error(n) ? 16 : 0);
    if (!push(ts_node_start_byte(n)) || !push(ts_node_end_byte(n)) || !push(ts_node_child_count(n)) ||
        !push(ts_node_symbol(n)) || !push(flags)) {
      ts_tree_cursor_delete(&c);
      return 0;
    }
    if (ts_tree_cursor_goto_first_child(&c)) continue;
    for (;;) {
      if (ts_tree_cursor_goto_next_sibling(&c)) break;
      if (!ts_tree_cursor_goto_parent(&c)) {
        ts_tree_cursor_delete(&c);
        return 1;
      }
    }
  }
}

/* Parses len UTF-8 bytes at src; returns the record array (valid until the next call), count in *n_out. */
__attribute__((export_name("tsp_parse"))) uint32_t *tsp_parse(const char *src, uint32_t len, uint32_t *n_out) {
  if (!parser) {
    parser = ts_parser_new();
    if (!ts_parser_set_language(parser, tree_sitter_python())) return 0;
  }
  out_len = 0;
  TSTree *tree = ts_parser_parse_string_encoding(parser, NULL, src, len, TSInputEncodingUTF8);
  if (!tree) return 0;
  int ok = emit(ts_tree_root_node(tree));
  ts_tree_delete(tree);
  if (!ok) return 0;
  *n_out = out_len / 5;
  return out;
}

__attribute__((export_name("tsp_symbol_count"))) uint32_t tsp_symbol_count(void) {
  return ts_language_symbol_count(tree_sitter_python());
}
__attribute__((export_name("tsp_symbol_name"))) const char *tsp_symbol_name(uint32_t id) {
  return ts_language_symbol_name(tree_sitter_python(), (TSSymbol)id);
}
