/*
 * The engine's optional native send path: SRTP protection with libsrtp2 and the send on a UDP
 * socket's descriptor, in one call per packet and sink. The pure-TypeScript path (werift's
 * SRTP, Node's dgram) stays the default; this is loaded only when it was built
 * (npm run build:native) and ENGINE_NATIVE_SEND is not 0.
 *
 * session(profile, masterKey, masterSalt) -> a session (freed by the garbage collector)
 * protectAndSend(session, fd, host, port, header, payload) -> bytes sent, or -1 when the
 *   packet was dropped (the socket's buffer full, or an SRTP error): a forwarded packet is
 *   not retried. The header and payload are joined here, so JavaScript allocates nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <pthread.h>
#include <srtp2/srtp.h>
#include <string.h>
#include <sys/socket.h>

#define PROFILE_AES128_CM_HMAC_SHA1_80 0x0001
#define PROFILE_AEAD_AES_128_GCM 0x0007
#define MAX_PACKET 1500

#define CHECK(env, call)                                   \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error((env), NULL, "srtp_send: " #call); \
      return NULL;                                         \
    }                                                      \
  } while (0)

static void free_session(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  srtp_dealloc((srtp_t)data);
}

static napi_value session(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t profile;
  void *key_data, *salt_data;
  size_t key_len, salt_len;
  CHECK(env, napi_get_value_uint32(env, argv[0], &profile));
  CHECK(env, napi_get_buffer_info(env, argv[1], &key_data, &key_len));
  CHECK(env, napi_get_buffer_info(env, argv[2], &salt_data, &salt_len));

  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  size_t want_salt;
  if (profile == PROFILE_AES128_CM_HMAC_SHA1_80) {
    srtp_crypto_policy_set_rtp_default(&policy.rtp);
    srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
    want_salt = 14;
  } else if (profile == PROFILE_AEAD_AES_128_GCM) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    want_salt = 12;
  } else {
    napi_throw_error(env, NULL, "srtp_send: unknown SRTP profile");
    return NULL;
  }
  if (key_len != 16 || salt_len < want_salt) {
    napi_throw_error(env, NULL, "srtp_send: a master key is 16 bytes, with a 14-byte (CM) or 12-byte (GCM) salt");
    return NULL;
  }
  unsigned char key[16 + 14];
  memcpy(key, key_data, 16);
  memcpy(key + 16, salt_data, want_salt);
  policy.key = key;
  policy.ssrc.type = ssrc_any_outbound;
  /* The engine's own retransmissions (NACK) go through werift's context; this one may see a
     sequence number again after a restamp, which is no replay on the sending side. */
  policy.allow_repeat_tx = 1;
  policy.window_size = 1024;

  srtp_t ctx;
  if (srtp_create(&ctx, &policy) != srtp_err_status_ok) {
    napi_throw_error(env, NULL, "srtp_send: srtp_create failed");
    return NULL;
  }
  napi_value out;
  CHECK(env, napi_create_external(env, ctx, free_session, NULL, &out));
  return out;
}

static napi_value protect_and_send(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *ctx;
  int32_t fd;
  uint32_t port;
  char host[64];
  size_t host_len;
  void *header, *payload;
  size_t header_len, payload_len;
  CHECK(env, napi_get_value_external(env, argv[0], &ctx));
  CHECK(env, napi_get_value_int32(env, argv[1], &fd));
  CHECK(env, napi_get_value_string_utf8(env, argv[2], host, sizeof host, &host_len));
  CHECK(env, napi_get_value_uint32(env, argv[3], &port));
  CHECK(env, napi_get_buffer_info(env, argv[4], &header, &header_len));
  CHECK(env, napi_get_buffer_info(env, argv[5], &payload, &payload_len));

  napi_value result;
  unsigned char buf[MAX_PACKET + SRTP_MAX_TRAILER_LEN];
  if (header_len + payload_len > MAX_PACKET) {
    CHECK(env, napi_create_int32(env, -1, &result));
    return result;
  }
  memcpy(buf, header, header_len);
  memcpy(buf + header_len, payload, payload_len);
  int len = (int)(header_len + payload_len);
  if (srtp_protect((srtp_t)ctx, buf, &len) != srtp_err_status_ok) {
    CHECK(env, napi_create_int32(env, -1, &result));
    return result;
  }

  struct sockaddr_storage addr;
  socklen_t addr_len;
  memset(&addr, 0, sizeof addr);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    addr_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    addr_len = sizeof *v6;
  } else {
    napi_throw_error(env, NULL, "srtp_send: the host is not an IP address");
    return NULL;
  }
  ssize_t sent = sendto(fd, buf, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&addr, addr_len);
  CHECK(env, napi_create_int32(env, sent < 0 ? -1 : (int32_t)sent, &result));
  return result;
}

/* Media workers each load the module: libsrtp is initialised once per process. */
static pthread_once_t srtp_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t srtp_init_status = srtp_err_status_fail;
static void init_srtp(void) { srtp_init_status = srtp_init(); }

static napi_value init(napi_env env, napi_value exports) {
  pthread_once(&srtp_once, init_srtp);
  if (srtp_init_status != srtp_err_status_ok) {
    napi_throw_error(env, NULL, "srtp_send: srtp_init failed");
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"session", NULL, session, NULL, NULL, NULL, napi_writable | napi_enumerable | napi_configurable, NULL},
      {"protectAndSend", NULL, protect_and_send, NULL, NULL, NULL, napi_writable | napi_enumerable | napi_configurable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, 2, props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
