/*
 * WebAssembly front end to the tree-sitter C runtime that parses Python from UTF-8 bytes and returns the
 * whole visible tree in one call. Shared by the AST match (metrics/ast-match) and CodeBLEU
 * (metrics/codebleu); built by build.sh, loaded by parser.ts.
 *
 * Why this exists: the node and web bindings of tree-sitter always feed the parser UTF-16, and
 * tree-sitter's error recovery charges skipped text by the BYTE (lib/src/error_costs.h) against fixed
 * per-recovery costs, so on text that does not parse (Gorilla responses are often prose) UTF-16 input
 * (2 bytes per ASCII character) recovers into different ERROR trees than py-tree-sitter, which parses
 * UTF-8: with UTF-16, 37 of the 5,424 visible golden AST verdicts and 168 golden CodeBLEU syntax_match
 * values change; with UTF-8 none do. Same runtime (node tree-sitter 0.22.4's vendored lib) and grammar
 * sources (tree-sitter-python 0.23.6) as the node packages.
 *
 * tsp_parse(len) parses the first len bytes of the input buffer (tsp_input) and returns TSP_COLUMNS int32
 * columns of n values each, column-major (column c of node i at [c * n + i]), n = number of visible nodes
 * (exactly what py-tree-sitter's `node.children` exposes: hidden rules are inlined, as a TreeCursor does),
 * numbered in pre-order (document order; node 0 is the root). Column-major so that the caller gets typed
 * array views with one copy and no per-node work.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>
#include "parser.h" /* the runtime's lib/src/parser.h: the TSLanguage layout (identical to the grammar's copy) */
#include "alloc.h"  /* the runtime's lib/src/alloc.h: ts_free */
#include "language.h" /* the runtime's internals, for the direct tree walk below */
#include "subtree.h"
#include "tree.h"

const TSLanguage *tree_sitter_python(void);

#define EXPORT(name) __attribute__((export_name(name)))

/* Column order; parser.ts mirrors it. */
enum {
  COL_SYMBOL,       /* ts_node_symbol (ERROR is 0xFFFF) */
  COL_FLAGS,        /* FLAG_* below */
  COL_FIELD,        /* the cursor's field id (0: none), which is how ts_node_string names fields */
  COL_START,        /* start byte */
  COL_END,          /* end byte */
  COL_START_ROW,    /* start point: row, column in bytes */
  COL_START_COL,
  COL_END_ROW,      /* end point */
  COL_END_COL,
  COL_PARENT,       /* parent node index, -1 for the root */
  COL_CHILD_COUNT,  /* visible children */
  COL_FIRST_CHILD,  /* -1 if none */
  COL_NEXT_SIBLING, /* -1 if none */
  TSP_COLUMNS
};
enum { FLAG_NAMED = 1, FLAG_MISSING = 2, FLAG_EXTRA = 4, FLAG_HAS_ERROR = 8, FLAG_ERROR = 16 };

static char *input;
static uint32_t input_cap;
static int32_t *out;
static uint32_t out_cap;
static int32_t *last_child; /* scratch: last child seen so far, per node */
static uint32_t last_cap;
static char *sbuf;
static uint32_t sbuf_len, sbuf_cap;

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

EXPORT("tsp_columns") uint32_t tsp_columns(void) { return TSP_COLUMNS; }

/* A buffer of at least cap bytes for the next input (valid until the next tsp_input call); 0 if out of memory. */
EXPORT("tsp_input") char *tsp_input(uint32_t cap) {
  if (!grow((void **)&input, &input_cap, cap ? cap : 1, 1)) return 0;
  return input;
}

/*
 * tree-sitter-python with its whole parse table expanded to one dense [state][symbol] array.
 *
 * Why: the generated grammar stores only its first large_state_count states densely; every other state
 * is a list of (value, symbols...) groups that ts_language_lookup (lib/src/language.h) scans linearly.
 * Error recovery asks for every token in the state (ts_parser__do_all_potential_reductions,
 * ts_parser__handle_error's missing-token loop), so on Gorilla's prose those scans were over 40% of
 * parse time. Declaring every state "large" over an expanded table makes each lookup one array read and
 * returns exactly what the scan returns (the first group holding the symbol, else 0); nothing else in
 * the parser reads the table layout (only query.c's lookahead iterators do, and they are not used here).
 * The tree is therefore identical; test/tree-sitter.test.ts checks it against the unexpanded language.
 */
static TSLanguage dense_python;

static const TSLanguage *python_language(int dense) {
  const TSLanguage *src = tree_sitter_python();
  if (!dense) return src;
  if (dense_python.parse_table) return &dense_python;
  uint32_t S = src->symbol_count, N = src->state_count, L = src->large_state_count;
  uint16_t *table = calloc((size_t)N * S, sizeof(uint16_t));
  uint8_t *seen = calloc(S, 1);
  if (!table || !seen) { free(table); free(seen); return 0; }
  memcpy(table, src->parse_table, (size_t)L * S * sizeof(uint16_t));
  for (uint32_t state = L; state < N; state++) {
    const uint16_t *data = &src->small_parse_table[src->small_parse_table_map[state - L]];
    uint16_t *row = table + (size_t)state * S;
    memset(seen, 0, S);
    uint16_t groups = *data++;
    for (uint16_t g = 0; g < groups; g++) {
      uint16_t value = *data++, count = *data++;
      for (uint16_t j = 0; j < count; j++, data++) {
        if (*data < S && !seen[*data]) { seen[*data] = 1; row[*data] = value; } /* first group wins, as in the scan */
      }
    }
  }
  free(seen);
  dense_python = *src;
  dense_python.parse_table = table;
  dense_python.large_state_count = N;
  return &dense_python;
}

/*
 * The speed-ups, all on by default; tests turn them off one by one to check that no tree changes.
 * SPEEDUP_DENSE_TABLE: the dense table above (off: the grammar's own tables). SPEEDUP_RECOVERY_CACHE:
 * recovery-cache.patch. SPEEDUP_ARENA: per-parse memory (below). SPEEDUP_DIRECT_WALK: walk_direct (below).
 */
enum { SPEEDUP_DENSE_TABLE = 1, SPEEDUP_RECOVERY_CACHE = 2, SPEEDUP_ARENA = 4, SPEEDUP_DIRECT_WALK = 8 };
static int speedups = SPEEDUP_DENSE_TABLE | SPEEDUP_RECOVERY_CACHE | SPEEDUP_ARENA | SPEEDUP_DIRECT_WALK;
void ts_parser_recovery_cache_enable(bool enabled);
EXPORT("tsp_set_speedups") void tsp_set_speedups(int bits) {
  speedups = bits;
  ts_parser_recovery_cache_enable((bits & SPEEDUP_RECOVERY_CACHE) != 0);
}

/*
 * Per-parse memory. Everything tree-sitter allocates while parsing one text (the parser itself, its
 * stack, every subtree) is bumped out of one region that is dropped as a whole when the text's columns
 * are written: no malloc bookkeeping per subtree and no tree walk to free it (freeing was over a tenth
 * of parse time). Only the allocator changes; the parse is the same (test/tree-sitter.test.ts compares
 * trees with and without). Texts over ARENA_MAX_TEXT bytes use malloc/free as usual, so memory stays
 * bounded by what tree-sitter itself keeps live.
 *
 * Blocks are 8-byte aligned and carry their size (realloc copies); a block too big for the current
 * chunk gets a chunk of its own. After a parse the chunks are freed, except one, sized to the last
 * parse's whole use (at most ARENA_KEEP), so the next parse usually needs no malloc at all.
 */
enum { ARENA_MAX_TEXT = 1 << 20, ARENA_CHUNK = 1 << 20, ARENA_KEEP = 16 << 20 };
typedef struct Chunk { struct Chunk *next; uint32_t size, used; } Chunk;
#define CHUNK_DATA(c) ((char *)(c) + sizeof(Chunk))
static Chunk *chunks;   /* the chunk being bumped first, older ones after it */
static uint32_t arena_total;
static int arena_on;    /* the parse under way bumps */

static Chunk *chunk_new(uint32_t size, Chunk *next) {
  Chunk *c = malloc(sizeof(Chunk) + size);
  if (!c) {
    fprintf(stderr, "tree-sitter failed to allocate %u bytes", size);
    abort(); /* as tree-sitter's own allocator does */
  }
  c->next = next;
  c->size = size;
  c->used = 0;
  return c;
}

static void *arena_bump(size_t size) {
  uint32_t need = (uint32_t)((size + 8 + 7) & ~(size_t)7); /* size header + block, 8-aligned */
  if (!chunks || chunks->size - chunks->used < need) {
    chunks = chunk_new(need > ARENA_CHUNK ? need : ARENA_CHUNK, chunks);
  }
  char *p = CHUNK_DATA(chunks) + chunks->used;
  chunks->used += need;
  arena_total += need;
  *(uint64_t *)p = size;
  return p + 8;
}

static void *ts_arena_malloc(size_t size) { return arena_on ? arena_bump(size) : malloc(size); }
static void *ts_arena_calloc(size_t count, size_t size) {
  if (!arena_on) return calloc(count, size);
  void *p = arena_bump(count * size);
  memset(p, 0, count * size);
  return p;
}
static void *ts_arena_realloc(void *old, size_t size) {
  if (!arena_on) return realloc(old, size);
  if (!old) return arena_bump(size);
  uint64_t old_size = *(uint64_t *)((char *)old - 8);
  if (size <= old_size) return old;
  void *p = arena_bump(size);
  memcpy(p, old, old_size);
  return p;
}
static void ts_arena_free(void *p) {
  if (!arena_on) free(p);
}

/* Drops everything bumped since the last reset; keeps one chunk big enough for a parse like the last. */
static void arena_reset(void) {
  uint32_t keep = arena_total < ARENA_CHUNK ? ARENA_CHUNK : arena_total > ARENA_KEEP ? ARENA_KEEP : arena_total;
  Chunk *reuse = chunks && !chunks->next && chunks->size >= keep ? chunks : 0;
  for (Chunk *c = chunks, *next; c; c = next) {
    next = c->next;
    if (c != reuse) free(c);
  }
  chunks = reuse ? reuse : chunk_new(keep, 0);
  chunks->used = 0;
  arena_total = 0;
}

/* The tree of one text, and the parser that made it (freed together by parse_done). */
typedef struct {
  TSParser *parser;
  TSTree *tree;
} Parsed;

static Parsed parse_input(uint32_t len) {
  static int allocator_set;
  if (!allocator_set) {
    ts_set_allocator(ts_arena_malloc, ts_arena_calloc, ts_arena_realloc, ts_arena_free);
    allocator_set = 1;
  }
  Parsed r = {0, 0};
  const TSLanguage *lang = python_language(speedups & SPEEDUP_DENSE_TABLE);
  if (!lang) return r;
  arena_on = (speedups & SPEEDUP_ARENA) && len <= ARENA_MAX_TEXT;
  r.parser = ts_parser_new();
  if (ts_parser_set_language(r.parser, lang)) {
    r.tree = ts_parser_parse_string_encoding(r.parser, NULL, input, len, TSInputEncodingUTF8);
  }
  return r;
}

static void parse_done(Parsed r) {
  if (arena_on) {
    /* Only the external scanner's state lives outside the arena (the grammar's scanner.c uses malloc). */
    ts_parser_set_language(r.parser, NULL);
    arena_reset();
    arena_on = 0;
  } else {
    ts_tree_delete(r.tree);
    ts_parser_delete(r.parser);
  }
}

/* The output columns of one tree (column-major views into `out`). */
typedef struct {
  int32_t *symbol, *flags, *field, *start, *end, *srow, *scol, *erow, *ecol;
  int32_t *parent, *child_count, *first_child, *next_sibling;
} Columns;

/* Writes visible node i, a child of `up` (-1 for the root), and links it to its parent's children. */
static void put_node(Columns *c, uint32_t i, int32_t up, TSSymbol sym, int named, int missing, int extra, int has_error,
                     TSFieldId field, Length start, Length end) {
  c->symbol[i] = sym;
  c->flags[i] = (named ? FLAG_NAMED : 0) | (missing ? FLAG_MISSING : 0) | (extra ? FLAG_EXTRA : 0) |
                (has_error ? FLAG_HAS_ERROR : 0) | (sym == (TSSymbol)-1 ? FLAG_ERROR : 0);
  c->field[i] = field;
  c->start[i] = (int32_t)start.bytes;
  c->end[i] = (int32_t)end.bytes;
  c->srow[i] = (int32_t)start.extent.row;
  c->scol[i] = (int32_t)start.extent.column;
  c->erow[i] = (int32_t)end.extent.row;
  c->ecol[i] = (int32_t)end.extent.column;
  c->parent[i] = up;
  c->child_count[i] = 0;
  c->first_child[i] = -1;
  c->next_sibling[i] = -1;
  last_child[i] = -1;
  if (up >= 0) {
    if (last_child[up] < 0) c->first_child[up] = (int32_t)i;
    else c->next_sibling[last_child[up]] = (int32_t)i;
    last_child[up] = (int32_t)i;
    c->child_count[up]++;
  }
}

/* The visible nodes in pre-order through the public cursor API (the reference for walk_direct). */
static uint32_t walk_cursor(TSTree *tree, Columns *c, uint32_t n) {
  TSTreeCursor cur = ts_tree_cursor_new(ts_tree_root_node(tree));
  uint32_t i = 0;
  int32_t up = -1; /* parent of the node the cursor is on */
  for (;;) {
    if (i >= n) break; /* cannot happen: the walk visits exactly the visible descendants */
    TSNode nd = ts_tree_cursor_current_node(&cur);
    Length start = {ts_node_start_byte(nd), ts_node_start_point(nd)};
    Length end = {ts_node_end_byte(nd), ts_node_end_point(nd)};
    put_node(c, i, up, ts_node_symbol(nd), ts_node_is_named(nd), ts_node_is_missing(nd), ts_node_is_extra(nd),
             ts_node_has_error(nd), ts_tree_cursor_current_field_id(&cur), start, end);
    int32_t self = (int32_t)i++;
    if (ts_tree_cursor_goto_first_child(&cur)) {
      up = self;
      continue;
    }
    /* Climb until a next sibling exists; each goto_parent moves `up` to its own parent. */
    int done = 0;
    int32_t at = self;
    while (!ts_tree_cursor_goto_next_sibling(&cur)) {
      if (!ts_tree_cursor_goto_parent(&cur)) { done = 1; break; }
      at = c->parent[at];
    }
    if (done) break;
    up = c->parent[at];
  }
  ts_tree_cursor_delete(&cur);
  return i;
}

/*
 * The same walk straight over the subtrees, without the cursor's per-step bookkeeping (rebuilding nodes,
 * re-deriving aliases and walking up the stack for each field id): about a tenth of parse time. Each
 * frame is a node whose children are being visited, visible or hidden (hidden ones are inlined, as the
 * cursor does); it follows tree_cursor.c (ts_tree_cursor_child_iterator_next for positions, aliases and
 * visibility, ts_tree_cursor_current_field_id for fields, node.c for the node facts). test/tree-sitter.
 * test.ts checks that both walks give the same columns.
 */
typedef struct {
  Subtree node;
  Length position;           /* where the next child starts */
  uint32_t child_index, structural_child_index;
  int32_t up;                /* output index of the nearest visible node: the parent of visible children */
  TSFieldId inherited_field; /* what a hidden node hands down when its own child has no field */
} Frame;
static Frame *frames;
static uint32_t frames_cap;

static uint32_t walk_direct(TSTree *tree, Columns *c, uint32_t n) {
  const TSLanguage *lang = tree->language;
  Subtree root = tree->root;
  Length root_start = ts_subtree_padding(root);
  uint32_t i = 0;
  put_node(c, i++, -1, ts_language_public_symbol(lang, ts_subtree_symbol(root)), ts_subtree_named(root),
           ts_subtree_missing(root), ts_subtree_extra(root), ts_subtree_error_cost(root) > 0, 0, root_start,
           length_add(root_start, ts_subtree_size(root)));
  if (ts_subtree_child_count(root) == 0) return i;
  uint32_t depth = 0;
  if (!grow((void **)&frames, &frames_cap, 1, sizeof(Frame))) return 0;
  frames[depth++] = (Frame){root, root_start, 0, 0, 0, 0};
  while (depth > 0) {
    Frame *f = &frames[depth - 1];
    const Subtree *children = ts_subtree_children(f->node);
    uint32_t count = f->node.ptr->child_count;
    if (f->child_index == count) { depth--; continue; }
    uint32_t production_id = f->node.ptr->production_id;
    Subtree child = children[f->child_index];
    Length position = f->position;
    bool extra = ts_subtree_extra(child);
    bool visible = ts_subtree_visible(child);
    TSSymbol alias = 0;
    TSFieldId field = 0;
    if (!extra) {
      uint32_t sci = f->structural_child_index++;
      alias = ts_language_alias_at(lang, production_id, sci);
      if (alias) visible = true;
      const TSFieldMapEntry *map, *map_end;
      ts_language_field_map(lang, production_id, &map, &map_end);
      for (; map < map_end; map++) {
        if (!map->inherited && map->child_index == sci) { field = map->field_id; break; }
      }
      if (!field) field = f->inherited_field;
    }
    f->position = length_add(f->position, ts_subtree_size(child));
    if (++f->child_index < count) f->position = length_add(f->position, ts_subtree_padding(children[f->child_index]));
    int32_t up = f->up;
    if (visible) {
      if (i >= n) return 0; /* cannot happen: n counts the visible descendants */
      TSSymbol sym = ts_language_public_symbol(lang, alias ? alias : ts_subtree_symbol(child));
      int named = alias ? ts_language_symbol_metadata(lang, alias).named : ts_subtree_named(child);
      put_node(c, i, up, sym, named, ts_subtree_missing(child), extra, ts_subtree_error_cost(child) > 0, field,
               position, length_add(position, ts_subtree_size(child)));
      up = (int32_t)i++;
      if (ts_subtree_child_count(child) == 0) continue;
      field = 0; /* a visible node stops the climb for field ids */
    } else if (ts_subtree_visible_child_count(child) == 0) {
      continue;
    }
    if (!grow((void **)&frames, &frames_cap, depth + 1, sizeof(Frame))) return 0;
    frames[depth++] = (Frame){child, position, 0, 0, up, field};
  }
  return i;
}


/*
 * Parses len UTF-8 bytes of the input buffer; returns the columns (valid until the next call), node
 * count in *n_out; 0 when out of memory. Both walks are iterative: deep trees must not overflow the
 * wasm stack.
 */
EXPORT("tsp_parse") int32_t *tsp_parse(uint32_t len, uint32_t *n_out) {
  Parsed parsed = parse_input(len);
  TSTree *tree = parsed.tree;
  if (!tree) { parse_done(parsed); return 0; }
  uint32_t n = ts_node_descendant_count(ts_tree_root_node(tree)); /* visible nodes, the root included */
  if (!grow((void **)&out, &out_cap, n * TSP_COLUMNS, sizeof(int32_t)) ||
      !grow((void **)&last_child, &last_cap, n, sizeof(int32_t))) {
    parse_done(parsed);
    return 0;
  }
  Columns c = {
    out + COL_SYMBOL * n, out + COL_FLAGS * n, out + COL_FIELD * n, out + COL_START * n, out + COL_END * n,
    out + COL_START_ROW * n, out + COL_START_COL * n, out + COL_END_ROW * n, out + COL_END_COL * n,
    out + COL_PARENT * n, out + COL_CHILD_COUNT * n, out + COL_FIRST_CHILD * n, out + COL_NEXT_SIBLING * n,
  };
  uint32_t written = (speedups & SPEEDUP_DIRECT_WALK) ? walk_direct(tree, &c, n) : walk_cursor(tree, &c, n);
  parse_done(parsed);
  if (written != n) return 0;
  *n_out = n;
  return out;
}

static int append(const char *s) {
  uint32_t l = (uint32_t)strlen(s) + 1;
  if (!grow((void **)&sbuf, &sbuf_cap, sbuf_len + l, 1)) return 0;
  memcpy(sbuf + sbuf_len, s, l);
  sbuf_len += l;
  return 1;
}

/*
 * Tests only: ts_node_string (what py-tree-sitter's str(node) prints) of the root and of every node with
 * children, NUL-terminated each, in pre-order; total bytes in *bytes_out.
 */
EXPORT("tsp_node_strings") char *tsp_node_strings(uint32_t len, uint32_t *bytes_out) {
  Parsed parsed = parse_input(len);
  TSTree *tree = parsed.tree;
  if (!tree) { parse_done(parsed); return 0; }
  sbuf_len = 0;
  TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
  int ok = 1, first = 1;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&c);
    if (first || ts_node_child_count(n) > 0) {
      char *s = ts_node_string(n);
      ok = s && append(s);
      ts_free(s); /* tree-sitter's allocator made it */
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
  parse_done(parsed);
  if (!ok) return 0;
  *bytes_out = sbuf_len;
  return sbuf;
}

EXPORT("tsp_symbol_count") uint32_t tsp_symbol_count(void) { return ts_language_symbol_count(tree_sitter_python()); }
EXPORT("tsp_symbol_name") const char *tsp_symbol_name(uint32_t id) { return ts_language_symbol_name(tree_sitter_python(), (TSSymbol)id); }
EXPORT("tsp_field_count") uint32_t tsp_field_count(void) { return ts_language_field_count(tree_sitter_python()); }
EXPORT("tsp_field_name") const char *tsp_field_name(uint32_t id) { return ts_language_field_name_for_id(tree_sitter_python(), (TSFieldId)id); }
