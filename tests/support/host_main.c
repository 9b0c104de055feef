/* Host test harness for generated models: reads input sets from stdin (each
 * input's raw bytes, in order), runs one inference per set and writes every
 * output's raw bytes to stdout. Built with -DTE_MODEL=name -DTE_MODEL_UPPER=NAME
 * -include name.h. Runs on the caller-provided-arena API so the sanitizer build
 * can check that nothing outside the declared arena is touched.
 *
 * The sets are one sequence of calls: the model's state (LSTM, SVDF, resource
 * variables) carries over from one set to the next, as on one LiteRT
 * interpreter. Usage: exe [N]: with N > 0, <name>_reset_with_arena() runs after
 * every N sets (the state restarts, as after LiteRT's reset_all_variables()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TE_CAT_(a, b) a##b
#define TE_CAT(a, b) TE_CAT_(a, b)
#define TE_FN(suffix) TE_CAT(TE_MODEL, suffix)
#define TE_MACRO(suffix) TE_CAT(TE_MODEL_UPPER, suffix)

int main(int argc, char **argv)
{
    /* Exactly the declared size on the heap: ASan flags any access outside it. */
    void *arena = malloc(TE_MACRO(_ARENA_SIZE) > 0 ? TE_MACRO(_ARENA_SIZE) : 1);
    const long reset_every = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    int sets = 0;
    if (arena == NULL) {
        return 3;
    }
    /* Garbage everywhere, then the state's reset values: a caller-provided arena starts so. */
    memset(arena, 0xA5, TE_MACRO(_ARENA_SIZE));
    TE_FN(_reset_with_arena)(arena);
    for (;;) {
        int i, status;
        for (i = 0; i < TE_MACRO(_NUM_INPUTS); ++i) {
            size_t n = TE_FN(_input_bytes)(i);
            if (fread(TE_FN(_input_with_arena)(arena, i), 1, n, stdin) != n) {
                free(arena);
                return (i == 0) ? 0 : 4; /* clean EOF only between sets */
            }
        }
        status = TE_FN(_invoke_with_arena)(arena);
        if (status != 0) {
            fprintf(stderr, "invoke failed with %d on set %d\n", status, sets);
            free(arena);
            return 5;
        }
        for (i = 0; i < TE_MACRO(_NUM_OUTPUTS); ++i) {
            fwrite(TE_FN(_output_with_arena)(arena, i), 1, TE_FN(_output_bytes)(i), stdout);
        }
        fflush(stdout);
        ++sets;
        if (reset_every > 0 && sets % reset_every == 0) {
            TE_FN(_reset_with_arena)(arena);
        }
    }
}
