/** Loads every area's fakes. Add an import here when adding a fakes file. */
import "./core";
import "./cluster";
import "./argocd";
import "./network";
import "./environment";
import "./kubernetes";
import "./gatewayApi";
import "./aws-core";
import "./aws-network";
import "./aws-eks";
