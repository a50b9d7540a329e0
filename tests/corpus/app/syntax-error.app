{application, bad,
 [{vsn, "1.0"},
  {modules, []},
  {applications, [kernel, stdlib}
 ]}.
