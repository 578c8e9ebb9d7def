#!/usr/bin/env bash
# Regenerates the key/certificate fixtures in test/fixtures/keys with openssl, and the expected
# fingerprints (openssl dgst over the DER the design brief names) in fingerprints.txt.
# Run: npm run fixtures   (fixtures are committed; rerunning changes every key)
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/keys"
rm -f ./*.pem ./*.der ./*.bin fingerprints.txt
o=openssl
subj=/CN=akenza-device-fixture

# --- good EC P-256 keys in every form ---
$o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pkcs8.pem
$o ec -in ec.pkcs8.pem -out ec.sec1.pem 2>/dev/null                       # params + public key
$o ec -in ec.pkcs8.pem -no_public -out ec.sec1-nopub.pem 2>/dev/null       # params only
$o ec -in ec.pkcs8.pem -outform DER -out ec.sec1.der 2>/dev/null
priv_hex=$($o ec -in ec.pkcs8.pem -outform DER 2>/dev/null | od -An -v -tx1 -j7 -N32 | tr -d ' \n')
pub_hex=$($o ec -in ec.pkcs8.pem -pubout -outform DER 2>/dev/null | od -An -v -tx1 -j26 | tr -d ' \n')
node -e 'process.stdout.write(Buffer.from(process.argv[1], "hex"))' "$priv_hex" > ec.raw.bin   # raw 32-byte scalar
# SEC1 without parameters (RFC 5915 makes them optional), with and without the public key.
printf 'asn1=SEQUENCE:k\n[k]\nv=INT:1\nd=FORMAT:HEX,OCT:%s\npub=EXP:1,FORMAT:HEX,BITSTRING:%s\n' "$priv_hex" "$pub_hex" > k.cnf
$o asn1parse -genconf k.cnf -noout -out k.der
$o base64 -in k.der | { echo '-----BEGIN EC PRIVATE KEY-----'; cat; echo '-----END EC PRIVATE KEY-----'; } > ec.sec1-noparams.pem
printf 'asn1=SEQUENCE:k\n[k]\nv=INT:1\nd=FORMAT:HEX,OCT:%s\n' "$priv_hex" > k.cnf
$o asn1parse -genconf k.cnf -noout -out k.der
$o base64 -in k.der | { echo '-----BEGIN EC PRIVATE KEY-----'; cat; echo '-----END EC PRIVATE KEY-----'; } > ec.sec1-bare.pem
rm -f k.cnf k.der
$o ecparam -name prime256v1 -genkey -out ec2.ecparam.pem                   # EC PARAMETERS block first
$o pkey -in ec.pkcs8.pem -pubout -out ec.pub.pem
$o req -x509 -new -key ec.pkcs8.pem -subj "$subj" -days 3650 -out ec.cert.pem 2>/dev/null

# --- good RSA keys ---
$o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pkcs8.pem 2>/dev/null
$o rsa -in rsa.pkcs8.pem -traditional -out rsa.pkcs1.pem 2>/dev/null
$o pkey -in rsa.pkcs8.pem -pubout -out rsa.pub.pem
$o rsa -in rsa.pkcs8.pem -RSAPublicKey_out -out rsa.pub-pkcs1.pem 2>/dev/null
$o req -x509 -new -key rsa.pkcs8.pem -subj "$subj" -days 3650 -out rsa.cert.pem 2>/dev/null
$o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa3072.pkcs8.pem 2>/dev/null

# --- keys the platform refuses ---
$o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pkcs8.pem 2>/dev/null
$o rsa -in rsa1024.pkcs8.pem -traditional -out rsa1024.pkcs1.pem 2>/dev/null
$o pkey -in rsa1024.pkcs8.pem -pubout -out rsa1024.pub.pem
$o req -x509 -new -key rsa1024.pkcs8.pem -subj "$subj" -days 3650 -out rsa1024.cert.pem 2>/dev/null
$o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pkcs8.pem
$o ec -in p384.pkcs8.pem -out p384.sec1.pem 2>/dev/null
$o pkey -in p384.pkcs8.pem -pubout -out p384.pub.pem
$o req -x509 -new -key p384.pkcs8.pem -subj "$subj" -days 3650 -out p384.cert.pem 2>/dev/null
$o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out secp256k1.pkcs8.pem
$o ec -in ec.pkcs8.pem -param_enc explicit -out ec.explicit.pem 2>/dev/null
$o genpkey -algorithm ED25519 -out ed25519.pkcs8.pem
$o pkey -in ed25519.pkcs8.pem -pubout -out ed25519.pub.pem
$o pkcs8 -topk8 -in ec.pkcs8.pem -v2 aes-256-cbc -passout pass:fixture -out ec.encrypted.pem
$o rsa -in rsa.pkcs8.pem -traditional -aes256 -passout pass:fixture -out rsa.legacy-encrypted.pem 2>/dev/null

# --- expected fingerprints, computed by openssl over the DER the brief names ---
{
  for f in ec.pub.pem rsa.pub.pem; do
    echo "$f $($o pkey -pubin -in $f -outform DER | $o dgst -sha256 -r | cut -d' ' -f1)"
  done
  echo "rsa.pub-pkcs1.pem $($o rsa -RSAPublicKey_in -in rsa.pub-pkcs1.pem -pubout -outform DER 2>/dev/null | $o dgst -sha256 -r | cut -d' ' -f1)"
  for f in ec.cert.pem rsa.cert.pem; do
    echo "$f $($o x509 -in $f -outform DER | $o dgst -sha1 -r | cut -d' ' -f1)"
  done
  # the SPKI of each private key, for `kid: auto`
  for f in ec.pkcs8.pem rsa.pkcs8.pem ec2.ecparam.pem; do
    echo "$f $($o pkey -in $f -pubout -outform DER | $o dgst -sha256 -r | cut -d' ' -f1)"
  done
} > fingerprints.txt
echo "fixtures written to $(pwd)"
