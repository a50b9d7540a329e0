#include "data.h"

#include <string.h>

const char *rel_data_get(const char *name, size_t *len)
{
    for (unsigned i = 0; i < rel_data_file_count; i++) {
        if (strcmp(rel_data_files[i].name, name) == 0) {
            if (len)
                *len = rel_data_files[i].len;
            return rel_data_files[i].text;
        }
    }
    return NULL;
}
