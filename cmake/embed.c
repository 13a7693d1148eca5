/* embed.c — build tool: writes a C file holding each input file as a byte
   array, and the table tfp_embedded[] {name, data, size} ending in NULL. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: embed OUT.c FILE...\n"); return 2; }
  FILE *out = fopen(argv[1], "w");
  if (!out) { perror(argv[1]); return 1; }
  fprintf(out, "#include \"embedded.h\"\n");
  for (int i = 2; i < argc; i++) {
    FILE *in = fopen(argv[i], "rb");
    if (!in) { perror(argv[i]); return 1; }
    fprintf(out, "static const char f%d[] = {", i);
    int c; long n = 0;
    while ((c = getc(in)) != EOF) fprintf(out, "%s%d,", (n++ % 20) ? "" : "\n", c);
    fprintf(out, "0};\n");
    fclose(in);
  }
  fprintf(out, "const tfp_embedded_file tfp_embedded[] = {\n");
  for (int i = 2; i < argc; i++) {
    const char *base = strrchr(argv[i], '/');
    fprintf(out, "  {\"%s\", f%d, sizeof f%d - 1},\n", base ? base + 1 : argv[i], i, i);
  }
  fprintf(out, "  {0, 0, 0}\n};\n");
  return fclose(out) != 0;
}
