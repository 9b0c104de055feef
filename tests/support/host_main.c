/* Host test harness for generated models: reads input sets from stdin (each
 * input's raw bytes, in order), runs one inference per set and writes every
 * output's raw bytes to stdout. Built with -DTE_MODEL=name -DTE_MODEL_UPPER=NAME
 * -include name.h. Runs on the caller-provided-arena API so the sanitizer build
 * can check that nothing outside the declared arena is touched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TE_CAT_(a, b) a##b
#define TE_CAT(a, b) TE_CAT_(a, b)
#define TE_FN(suffix) TE_CAT(TE_MODEL, suffix)
#define TE_MACRO(suffix) TE_CAT(TE_MODEL_UPPER, suffix)

int main(void)
{
    /* Exactly the declared size on the heap: ASan flags any access outside it. */
    void *arena = malloc(TE_MACRO(_ARENA_SIZE) > 0 ? TE_MACRO(_ARENA_SIZE) : 1);
    int sets = 0;
    if (arena == NULL) {
        return 3;
    }
    memset(arena, 0xA5, TE_MACRO(_ARENA_SIZE));
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
    }
}
