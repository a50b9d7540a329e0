hello.
