# generate.cmake - run the built relman to write a file it generates from its
# command table (run with -P at build time):
#   -DRELMAN=path/to/relman -DWHAT=man|bash|zsh|fish -DOUT=path/to/file
# man: `relman help --man`, gzipped (-9n: reproducible) when OUT ends in .gz.
# bash, zsh, fish: `relman completion SHELL`.
if(WHAT STREQUAL "man")
  set(args help --man)
else()
  set(args completion ${WHAT})
endif()
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
string(REGEX REPLACE "\\.gz$" "" plain ${OUT})
execute_process(COMMAND ${RELMAN} ${args} OUTPUT_FILE ${plain} RESULT_VARIABLE rc
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "relman ${args} failed (${rc}): ${err}")
endif()
if(NOT plain STREQUAL OUT)
  execute_process(COMMAND gzip -9nf ${plain} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${plain} failed")
  endif()
endif()
