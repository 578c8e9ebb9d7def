// The CA that signed your MQTT server's certificate, as PEM (replace the empty string). Left empty,
// Moddable's TLS uses the CA certificates built into the app (the "data" resources of the manifest).
export default "";
