{application, bad, [{vsn, "1.0"}, {applications, [kernel, stdlib]}, {env, [{pid, <0.1.0>}]}]}.
