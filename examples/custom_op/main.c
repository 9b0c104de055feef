/* Runs the example model on the host: the input values (16 int8) from the command line, or a
 * ramp; prints the 8 outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamp_model.h"

int main(int argc, char **argv)
{
    int8_t *x = (int8_t *)clamp_model_input(0);
    const int8_t *y;
    int i, status;
    for (i = 0; i < CLAMP_MODEL_INPUT0_BYTES; ++i) {
        x[i] = (int8_t)(i + 1 < argc ? atoi(argv[i + 1]) : i * 16 - 128);
    }
    status = clamp_model_invoke();
    if (status != 0) {
        fprintf(stderr, "clamp_model_invoke() returned %d\n", status);
        return 1;
    }
    y = (const int8_t *)clamp_model_output(0);
    for (i = 0; i < CLAMP_MODEL_OUTPUT0_BYTES; ++i) {
        printf("%d%s", y[i], i + 1 < CLAMP_MODEL_OUTPUT0_BYTES ? " " : "\n");
    }
    return 0;
}
