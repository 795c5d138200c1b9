{
  "targets": [
    {
      "target_name": "srtp_send",
      "sources": ["src/srtp_send.c"],
      "include_dirs": ["/usr/include/srtp2"],
      "libraries": ["-lsrtp2"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
