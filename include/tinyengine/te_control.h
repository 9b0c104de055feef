/* tinyengine: control flow (IF / WHILE). The generated code runs the subgraphs inline; this
 * header only holds the WHILE loop's bound.
 *
 * LiteRT's WHILE loops until its condition is false, however long that takes. The generated loop
 * stops after TE_WHILE_MAX_ITERATIONS iterations of one WHILE op and the invoke returns non-zero,
 * so a condition that never turns false cannot hang the device. Define it (compiler flag) to
 * change the bound. */
#ifndef TINYENGINE_TE_CONTROL_H
#define TINYENGINE_TE_CONTROL_H

#include <stdint.h>
#include <string.h>

#ifndef TE_WHILE_MAX_ITERATIONS
#define TE_WHILE_MAX_ITERATIONS 1000000u
#endif

#endif /* TINYENGINE_TE_CONTROL_H */
