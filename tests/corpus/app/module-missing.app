{application, bad,
 [{description, "lists a module whose .beam is not in ebin/"},
  {vsn, "1.0"},
  {modules, [bad]},
  {registered, []},
  {applications, [kernel, stdlib]}]}.
